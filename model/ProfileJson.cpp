#include "ProfileJson.h"

#include "Kinds.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace Qt::StringLiterals;

namespace tsm::ProfileJson {

namespace {

constexpr int kFormatVersion = 1;

/// The JSON value of one option as the declaration's kind wants it, or an error.
struct Converted
{
    QVariant value;
    QString error;
};

Converted convert(const OptionSpec &spec, const QJsonValue &json)
{
    switch (spec.kind) {
    case OptionKind::Integer: {
        if (!json.isDouble())
            return {{}, u"%1 must be a number"_s.arg(spec.key)};
        const double d = json.toDouble();
        if (!std::isfinite(d) || std::floor(d) != d)
            return {{}, u"%1 must be a whole number"_s.arg(spec.key)};
        // Clamped: an absurd number stays absurd (and out of range) instead of wrapping.
        constexpr double limit = 9.0e18;
        if (d > limit)
            return {QVariant(std::numeric_limits<qint64>::max()), {}};
        if (d < -limit)
            return {QVariant(std::numeric_limits<qint64>::min()), {}};
        return {QVariant(json.toInteger()), {}};
    }
    case OptionKind::Boolean:
        if (!json.isBool())
            return {{}, u"%1 must be true or false"_s.arg(spec.key)};
        return {json.toBool(), {}};
    case OptionKind::TextList: {
        if (!json.isArray())
            return {{}, u"%1 must be a list of strings"_s.arg(spec.key)};
        QStringList list;
        const QJsonArray array = json.toArray();
        for (const QJsonValue &item : array) {
            if (!item.isString())
                return {{}, u"%1 must be a list of strings"_s.arg(spec.key)};
            list.append(item.toString());
        }
        return {list, {}};
    }
    case OptionKind::Text:
    case OptionKind::Secret:
    case OptionKind::Choice:
    case OptionKind::Time:
    case OptionKind::Path:
        break;
    }
    if (!json.isString())
        return {{}, u"%1 must be a string"_s.arg(spec.key)};
    return {json.toString(), {}};
}

QJsonValue toJsonValue(const OptionSpec &spec, const QVariant &value)
{
    switch (spec.kind) {
    case OptionKind::Integer:
        return QJsonValue(value.toLongLong());
    case OptionKind::Boolean:
        return QJsonValue(value.toBool());
    case OptionKind::TextList:
        return QJsonArray::fromStringList(value.toStringList());
    default:
        return QJsonValue(value.toString());
    }
}

/** A JSON object that keeps its keys in the order they were added (QJsonObject sorts them). */
struct OrderedNode
{
    QString name;
    QJsonValue value;
    std::vector<OrderedNode> children;
    bool isObject = false;

    OrderedNode &child(const QString &childName)
    {
        for (OrderedNode &c : children) {
            if (c.name == childName)
                return c;
        }
        children.push_back(OrderedNode{childName, {}, {}, true});
        return children.back();
    }
};

QByteArray leafText(const QJsonValue &value)
{
    // QJsonDocument does the escaping; a one-element array is the smallest document it writes.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

void write(const OrderedNode &node, int depth, QByteArray &out)
{
    const QByteArray indent(4 * (depth + 1), ' ');
    out += "{\n";
    for (size_t i = 0; i < node.children.size(); ++i) {
        const OrderedNode &c = node.children[i];
        out += indent;
        out += leafText(QJsonValue(c.name));
        out += ": ";
        if (c.isObject)
            write(c, depth + 1, out);
        else
            out += leafText(c.value);
        if (i + 1 < node.children.size())
            out += ',';
        out += '\n';
    }
    out += QByteArray(4 * depth, ' ');
    out += '}';
}

/// Dotted paths of the keys that appear twice in one object of a well-formed JSON text;
/// QJsonDocument would keep one of them silently.
QStringList duplicatedKeys(const QByteArray &json)
{
    struct Level
    {
        bool object = false;
        QString path;
        QSet<QString> keys;
        QString key; ///< the last key read
        bool expectKey = false;
    };
    std::vector<Level> stack;
    QStringList duplicates;
    auto pathOf = [](const Level &level, const QString &key) {
        return level.path.isEmpty() ? key : level.path + u'.' + key;
    };
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (c == '"') {
            qsizetype end = i + 1;
            while (end < json.size() && json.at(end) != '"')
                end += json.at(end) == '\\' ? 2 : 1;
            if (!stack.empty() && stack.back().object && stack.back().expectKey) {
                Level &level = stack.back();
                const QString key = QJsonDocument::fromJson("[" + json.mid(i, end - i + 1) + "]")
                                        .array()
                                        .at(0)
                                        .toString();
                if (level.keys.contains(key))
                    duplicates.append(pathOf(level, key));
                level.keys.insert(key);
                level.key = key;
                level.expectKey = false;
            }
            i = end;
        } else if (c == '{' || c == '[') {
            Level level;
            level.object = c == '{';
            level.expectKey = level.object;
            if (!stack.empty())
                level.path = stack.back().object ? pathOf(stack.back(), stack.back().key)
                                                 : stack.back().path;
            stack.push_back(level);
        } else if ((c == '}' || c == ']') && !stack.empty()) {
            stack.pop_back();
        } else if (c == ',' && !stack.empty() && stack.back().object) {
            stack.back().expectKey = true;
        }
    }
    return duplicates;
}

/// The number of single-character edits between two keys.
int editDistance(const QString &a, const QString &b)
{
    std::vector<int> row(size_t(b.size()) + 1);
    for (size_t j = 0; j < row.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[size_t(j)];
            row[size_t(j)] = std::min({above + 1, row[size_t(j - 1)] + 1,
                                       diagonal + (a.at(i - 1).toLower() == b.at(j - 1).toLower()
                                                       ? 0
                                                       : 1)});
            diagonal = above;
        }
    }
    return row.back();
}

/// "; did you mean advanced.batchSize?" for the nearest declared key, when one is near.
QString nearestKeyHint(const QString &key)
{
    QString best;
    int bestDistance = std::numeric_limits<int>::max();
    for (const OptionSpec &spec : taskOptions()) {
        const int d = editDistance(key, spec.key);
        if (d < bestDistance) {
            bestDistance = d;
            best = spec.key;
        }
    }
    if (bestDistance > std::max<qsizetype>(2, key.size() / 4))
        return QString();
    return u"; did you mean %1?"_s.arg(best);
}

/// Keys no option declares, each with the nearest one that is declared.
void unknownKeys(const QJsonObject &object, const QString &prefix, QList<FieldError> &errors)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString path = prefix.isEmpty() ? it.key() : prefix + u'.' + it.key();
        if (path == u"version"_s || findOption(path))
            continue;
        const bool group = std::any_of(taskOptions().begin(), taskOptions().end(),
                                       [&](const OptionSpec &spec) {
                                           return spec.key.startsWith(path + u'.');
                                       });
        if (group && it.value().isObject()) {
            unknownKeys(it.value().toObject(), path, errors);
        } else if (!group) {
            errors.append({path, u"%1 is not a profile key%2 (tsmigrate-cli options lists "
                                 u"them)"_s.arg(path, nearestKeyHint(path))});
        }
    }
}

} // namespace

LoadResult fromJson(const QByteArray &json)
{
    LoadResult result;
    result.profile = TaskProfile::withDefaults();

    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const int offset = parseError.offset;
        const QByteArray before = json.left(offset);
        const qsizetype line = before.count('\n') + 1;
        const qsizetype column = offset - (before.lastIndexOf('\n') + 1) + 1;
        result.errors.append({QString(), u"The profile is not valid JSON: %1 at line %2, column "
                                         u"%3 (offset %4)"_s.arg(parseError.errorString())
                                             .arg(line)
                                             .arg(column)
                                             .arg(offset)});
        return result;
    }
    if (!doc.isObject()) {
        result.errors.append({QString(), u"The profile must be a JSON object"_s});
        return result;
    }
    const QJsonObject root = doc.object();
    for (const QString &key : duplicatedKeys(json))
        result.errors.append({key, u"%1 is given twice"_s.arg(key)});
    unknownKeys(root, QString(), result.errors);
    if (!result.errors.isEmpty())
        return result;

    const QJsonValue version = root.value(u"version"_s);
    if (!version.isUndefined()) {
        if (!version.isDouble() || version.toDouble() != std::floor(version.toDouble())) {
            result.errors.append({u"version"_s, u"version must be a whole number"_s});
            return result;
        }
        const double v = version.toDouble();
        if (v > kFormatVersion) {
            // A newer format may have changed what keys mean: reading it half would be worse.
            result.errors.append({u"version"_s, u"The profile has format version %1; this "
                                                u"tsmigrate reads version %2 and older: use a "
                                                u"newer tsmigrate"_s.arg(v)
                                                    .arg(kFormatVersion)});
            return result;
        }
        if (v < 1) {
            result.errors.append({u"version"_s, u"version must be %1"_s.arg(kFormatVersion)});
            return result;
        }
    }
    result.profile.version = kFormatVersion;

    // Declaration order matters: a type is set before the port and user that follow it.
    QSet<QString> reportedObjects;
    for (const OptionSpec &spec : taskOptions()) {
        const QStringList path = spec.key.split(u'.');
        QJsonObject object = root;
        bool present = true;
        for (qsizetype i = 0; i + 1 < path.size() && present; ++i) {
            const QJsonValue next = object.value(path.at(i));
            const QString prefix = path.mid(0, i + 1).join(u'.');
            if (next.isUndefined() || next.isNull()) {
                present = false;
            } else if (!next.isObject()) {
                present = false;
                if (!reportedObjects.contains(prefix)) {
                    reportedObjects.insert(prefix);
                    result.errors.append({prefix, u"%1 must be an object"_s.arg(prefix)});
                }
            } else {
                object = next.toObject();
            }
        }
        if (!present)
            continue;
        const QJsonValue leaf = object.value(path.last());
        if (leaf.isUndefined() || leaf.isNull())
            continue; // missing: the default stays
        const Converted converted = convert(spec, leaf);
        if (!converted.error.isEmpty()) {
            result.errors.append({spec.key, converted.error});
            continue;
        }
        spec.set(result.profile, converted.value);
    }
    // Before the API family was a choice of its own, the version field named InfluxDB 3.
    SourceSettings &source = result.profile.source;
    if (const SourceKind *kind = kinds::source(source);
        kind && !kinds::apisOf(source.type).isEmpty() && kinds::namesInfluxDb3(source.version)) {
        // InfluxDB 3 took the token as the password on the 1.x tab; it is the token now.
        if (kind->auth == AuthStyle::UserPassword && source.token.isEmpty()) {
            source.token = source.password;
            source.password.clear();
            source.user.clear();
        }
        source.apiVersion = kinds::source(SourceId::Influx3)->api;
    }
    return result;
}

LoadResult readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        LoadResult result;
        result.errors.append(
            {QString(), u"cannot be read: %1"_s.arg(file.errorString())});
        return result;
    }
    LoadResult result = fromJson(file.readAll());
    resolvePaths(result.profile, QFileInfo(path).absolutePath());
    return result;
}

void resolvePaths(TaskProfile &profile, const QString &folder)
{
    const QDir base(folder);
    for (QString *p : {&profile.source.path, &profile.target.path, &profile.advanced.rejectsFile})
        if (!p->isEmpty() && QFileInfo(*p).isRelative())
            *p = QDir::cleanPath(base.absoluteFilePath(*p));
}

QByteArray toJson(const TaskProfile &profile, bool includeSecrets)
{
    OrderedNode root;
    root.isObject = true;
    root.children.push_back(OrderedNode{u"version"_s, QJsonValue(kFormatVersion), {}, false});
    for (const OptionSpec &spec : taskOptions()) {
        if (spec.kind == OptionKind::Secret && !includeSecrets)
            continue;
        const QStringList path = spec.key.split(u'.');
        OrderedNode *node = &root;
        for (qsizetype i = 0; i + 1 < path.size(); ++i)
            node = &node->child(path.at(i));
        node->children.push_back(
            OrderedNode{path.last(), toJsonValue(spec, spec.get(profile)), {}, false});
    }
    QByteArray out;
    write(root, 0, out);
    out += '\n';
    return out;
}

bool hasSecrets(const TaskProfile &profile)
{
    for (const OptionSpec &spec : taskOptions())
        if (spec.kind == OptionKind::Secret && !spec.get(profile).toString().isEmpty())
            return true;
    return false;
}

} // namespace tsm::ProfileJson
