#pragma once

#include "TaskProfile.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <functional>
#include <vector>

namespace tsm {

/** How an option is entered and stored. */
enum class OptionKind
{
    Text,    ///< free text
    Secret,  ///< password or token: never logged, kept out of exported profiles by default
    Integer, ///< whole number with min/max
    Boolean,
    Choice,   ///< one of `choices`
    Time,     ///< RFC 3339 time; without an offset it is read in the task's time zone
    TextList, ///< list of names
    Path,     ///< a local file
};

/**
 * One option of a task, declared once: the wizard, the CLI and the profile JSON all read this.
 * `key` is the dotted path in the profile JSON ("task.delaySeconds").
 */
struct OptionSpec
{
    QString key;
    QString group; ///< basic | connection | auth1 | auth2 | task | advanced
    QString label;
    QString help;
    OptionKind kind = OptionKind::Text;
    QVariant defaultValue;
    qint64 minimum = 0;
    qint64 maximum = 0;
    QStringList choices;
    /// What a person sees for each choice (same order); empty = the choices themselves.
    QStringList choiceLabels;
    /// An example shown in an empty text field; empty = the field's usual hint.
    QString placeholder;
    bool required = false;
    /// Where a required option may be left empty after all (a line-protocol file's database:
    /// empty reads every one); empty function: required wherever it applies.
    std::function<bool(const TaskProfile &)> optionalFor;
    std::function<QVariant(const TaskProfile &)> get;
    std::function<void(TaskProfile &, const QVariant &)> set;
    /// Whether the option means anything for this profile (e.g. org ID only with the 2.x tab).
    std::function<bool(const TaskProfile &)> appliesTo;
    /// For free text: values to pick from for this profile (the versions of the chosen API, the
    /// IANA time zones); empty function when there are none. Any other text is still taken.
    std::function<QStringList(const TaskProfile &)> suggestions;
};

/** The declarations, in the order of the documented form. */
const std::vector<OptionSpec> &taskOptions();
/** The declaration with this key, or nullptr. */
const OptionSpec *findOption(const QString &key);

/** The option's label in the words of the profile's source (a Database where InfluxDB has a
 *  Bucket). */
QString optionLabel(const OptionSpec &spec, const TaskProfile &profile);
/** Whether `spec` must be filled in for this profile. */
bool isRequired(const OptionSpec &spec, const TaskProfile &profile);

/** Whether a source version names the InfluxDB 3 family ("3", "3.0.1", "v3", "Clustered",
 *  "Cloud Dedicated"), which has no organizations and is read through v1 /query. */
bool isInfluxDb3(const QString &version);

/** What a person sees for `value` of a choice option (its label, or the value itself). */
QString choiceLabel(const OptionSpec &spec, const QString &value);

/** Default port for a source or target type: 8086 for InfluxDB, 6041 for TDengine. */
int defaultPort(const QString &type);

/** A problem with one field, in words for the person who typed it. */
struct FieldError
{
    QString key;
    QString message;
};

/** Every problem with the profile; empty when it can run. */
QList<FieldError> validateProfile(const TaskProfile &profile);

} // namespace tsm
