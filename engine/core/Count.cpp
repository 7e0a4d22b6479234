#include "core/Count.h"

#include <QSet>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace tsm {

qint64 PointCount::shown() const
{
    if (points >= 0)
        return points;
    qint64 largest = 0;
    for (const qint64 values : fields)
        largest = std::max(largest, values);
    return largest;
}

PointCount &PointCount::operator+=(const PointCount &other)
{
    // Points add up only where both sides counted them; start from points = 0 to sum them.
    points = points < 0 || other.points < 0 ? -1 : points + other.points;
    for (auto it = other.fields.begin(); it != other.fields.end(); ++it)
        fields[it.key()] += it.value();
    return *this;
}

CountComparison compareCounts(const PointCount &source, const PointCount &target,
                              qint64 rejected)
{
    CountComparison result;
    const auto agrees = [rejected](qint64 s, qint64 t) {
        return s == t || (t < s && s - t <= rejected);
    };
    QStringList names = source.fields.keys();
    for (const QString &name : target.fields.keys())
        if (!source.fields.contains(name))
            names.append(name);
    std::sort(names.begin(), names.end());
    for (const QString &name : names) {
        const qint64 s = source.fields.value(name);
        const qint64 t = target.fields.value(name);
        if (!agrees(s, t))
            result.differences.append(u"%1 %2/%3"_s.arg(name).arg(s).arg(t));
    }
    if (source.points >= 0 && target.points >= 0 && !agrees(source.points, target.points))
        result.differences.prepend(u"points %1/%2"_s.arg(source.points).arg(target.points));
    result.differs = !result.differences.isEmpty();
    return result;
}

} // namespace tsm
