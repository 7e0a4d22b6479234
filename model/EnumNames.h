#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <initializer_list>
#include <optional>
#include <utility>

namespace tsm {

/** The names of an enum's values in one table: a value's name and a name's value come from the
 *  same rows, so the two directions never disagree and a new value is one more row. */
template <typename E>
class EnumNames
{
public:
    EnumNames(std::initializer_list<std::pair<E, QString>> rows) : m_rows(rows) {}

    /// The value's name; `unknown` for a value without a row.
    QString name(E value, const QString &unknown = QString()) const
    {
        for (const auto &[v, n] : m_rows)
            if (v == value)
                return n;
        return unknown;
    }

    /// The value a name stands for; nullopt for a name without a row.
    std::optional<E> value(const QString &name, Qt::CaseSensitivity cs = Qt::CaseSensitive) const
    {
        for (const auto &[v, n] : m_rows)
            if (n.compare(name, cs) == 0)
                return v;
        return std::nullopt;
    }

    /// Every name, in the order of the rows.
    QStringList names() const
    {
        QStringList all;
        for (const auto &row : m_rows)
            all.append(row.second);
        return all;
    }

private:
    QList<std::pair<E, QString>> m_rows;
};

} // namespace tsm
