#include "TimeText.h"

#include <QDate>
#include <QDateTime>
#include <QTime>
#include <QTimeZone>
#include <QtNumeric>
#include <chrono>

using namespace Qt::StringLiterals;

namespace tsm::TimeText {

namespace {

constexpr qint64 kNsPerSecond = 1'000'000'000;
constexpr qint64 kSecondsPerDay = 86'400;
constexpr qint64 kJulianDayOfEpoch = 2'440'588; // 1970-01-01

/** A cursor over the text that reads fixed-width digit groups. */
class Reader
{
public:
    explicit Reader(QStringView text) : m_text(text) {}

    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text.at(m_pos); }
    bool take(QChar c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    /// Exactly `count` ASCII digits (QChar::isDigit would accept other scripts' digits).
    bool digits(int count, int &value)
    {
        value = 0;
        for (int i = 0; i < count; ++i) {
            const QChar c = peek();
            if (c < u'0' || c > u'9')
                return false;
            value = value * 10 + (c.unicode() - u'0');
            ++m_pos;
        }
        return true;
    }
    /// One to nine fraction digits as nanoseconds: QDateTime stops at milliseconds.
    bool fraction(qint64 &ns)
    {
        int count = 0;
        ns = 0;
        while (!atEnd() && peek() >= u'0' && peek() <= u'9') {
            if (++count > 9)
                return false;
            ns = ns * 10 + (peek().unicode() - u'0');
            ++m_pos;
        }
        for (int i = count; i < 9; ++i)
            ns *= 10;
        return count > 0;
    }

private:
    QStringView m_text;
    qsizetype m_pos = 0;
};

/// seconds * 1e9 + fraction, or nothing when it does not fit in int64.
std::optional<qint64> combine(qint64 seconds, qint64 fractionNs)
{
    // Borrow a second for negative times so that INT64_MIN (whose whole seconds alone are out
    // of range) can still be reached.
    if (seconds < 0 && fractionNs > 0) {
        ++seconds;
        fractionNs -= kNsPerSecond;
    }
    qint64 ns = 0;
    if (qMulOverflow(seconds, kNsPerSecond, &ns))
        return std::nullopt;
    if (qAddOverflow(ns, fractionNs, &ns))
        return std::nullopt;
    return ns;
}

} // namespace

std::optional<qint64> parse(const QString &text, const QString &timeZone)
{
    Reader r(QStringView(text).trimmed());
    int year = 0, month = 0, day = 0;
    if (!r.digits(4, year) || !r.take(u'-') || !r.digits(2, month) || !r.take(u'-') ||
        !r.digits(2, day)) {
        return std::nullopt;
    }
    const QDate date(year, month, day);
    if (!date.isValid())
        return std::nullopt;

    int hour = 0, minute = 0, second = 0;
    qint64 fractionNs = 0;
    bool hasOffset = false;
    int offsetSeconds = 0;
    if (!r.atEnd()) {
        if (!r.take(u'T') && !r.take(u't') && !r.take(u' '))
            return std::nullopt;
        if (!r.digits(2, hour) || !r.take(u':') || !r.digits(2, minute) || !r.take(u':') ||
            !r.digits(2, second)) {
            return std::nullopt;
        }
        // No leap second: the databases on both sides have none either.
        if (hour > 23 || minute > 59 || second > 59)
            return std::nullopt;
        if (r.take(u'.') && !r.fraction(fractionNs))
            return std::nullopt;
        if (r.take(u'Z') || r.take(u'z')) {
            hasOffset = true;
        } else if (r.peek() == u'+' || r.peek() == u'-') {
            const int sign = r.peek() == u'-' ? -1 : 1;
            r.take(r.peek());
            int oh = 0, om = 0;
            if (!r.digits(2, oh) || !r.take(u':') || !r.digits(2, om) || oh > 23 || om > 59)
                return std::nullopt;
            hasOffset = true;
            offsetSeconds = sign * (oh * 3600 + om * 60);
        }
        if (!r.atEnd())
            return std::nullopt;
    }

    qint64 seconds = 0;
    if (hasOffset) {
        const qint64 days = date.toJulianDay() - kJulianDayOfEpoch;
        seconds = days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offsetSeconds;
    } else {
        const QString zoneId = timeZone.isEmpty() ? u"UTC"_s : timeZone;
        const QTimeZone zone(zoneId.toUtf8());
        if (!zone.isValid())
            return std::nullopt;
        // QDateTime knows the zone's rules (DST); the fraction is kept apart because it only
        // carries milliseconds.
        const QTime wallTime(hour, minute, second);
        const QDateTime local(date, wallTime, zone);
        if (local.isValid()) {
            seconds = local.toSecsSinceEpoch();
        } else {
            // A wall time in a spring-forward gap does not exist. Read it with the offset in
            // force before the gap, as most libraries do: 02:30 becomes 03:30 of the new offset.
            const qint64 wallSeconds = QDateTime(date, wallTime, Qt::UTC).toSecsSinceEpoch();
            const QDateTime dayBefore =
                QDateTime::fromSecsSinceEpoch(wallSeconds - kSecondsPerDay, Qt::UTC);
            seconds = wallSeconds - zone.offsetFromUtc(dayBefore);
        }
    }
    return combine(seconds, fractionNs);
}

QString format(qint64 nanoseconds)
{
    // Floor division, so that times before 1970 get a positive fraction.
    qint64 seconds = nanoseconds / kNsPerSecond;
    qint64 fraction = nanoseconds % kNsPerSecond;
    if (fraction < 0) {
        fraction += kNsPerSecond;
        --seconds;
    }
    qint64 days = seconds / kSecondsPerDay;
    qint64 secondOfDay = seconds % kSecondsPerDay;
    if (secondOfDay < 0) {
        secondOfDay += kSecondsPerDay;
        --days;
    }
    const QDate date = QDate::fromJulianDay(days + kJulianDayOfEpoch);
    QString text = u"%1-%2-%3T%4:%5:%6"_s.arg(date.year(), 4, 10, QLatin1Char('0'))
                       .arg(date.month(), 2, 10, QLatin1Char('0'))
                       .arg(date.day(), 2, 10, QLatin1Char('0'))
                       .arg(secondOfDay / 3600, 2, 10, QLatin1Char('0'))
                       .arg(secondOfDay / 60 % 60, 2, 10, QLatin1Char('0'))
                       .arg(secondOfDay % 60, 2, 10, QLatin1Char('0'));
    if (fraction != 0) {
        int width = 9;
        if (fraction % 1'000'000 == 0) {
            fraction /= 1'000'000;
            width = 3;
        } else if (fraction % 1'000 == 0) {
            fraction /= 1'000;
            width = 6;
        }
        text += u'.';
        text += u"%1"_s.arg(fraction, width, 10, QLatin1Char('0'));
    }
    text += u'Z';
    return text;
}

std::optional<qint64> parseDuration(const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty() || t == u"0"_s)
        return 0;
    qint64 total = 0;
    qsizetype i = 0;
    while (i < t.size()) {
        qint64 amount = 0;
        const qsizetype first = i;
        for (; i < t.size() && t.at(i) >= u'0' && t.at(i) <= u'9'; ++i) {
            if (amount > 1'000'000'000)
                return std::nullopt;
            amount = amount * 10 + (t.at(i).unicode() - u'0');
        }
        if (i == first || i == t.size())
            return std::nullopt; // a unit without a number, or a number without a unit
        qint64 unitSeconds = 0;
        switch (t.at(i++).unicode()) {
        case u's':
            unitSeconds = 1;
            break;
        case u'm':
            unitSeconds = 60;
            break;
        case u'h':
            unitSeconds = 3600;
            break;
        case u'd':
            unitSeconds = kSecondsPerDay;
            break;
        case u'w':
            unitSeconds = 7 * kSecondsPerDay;
            break;
        default:
            return std::nullopt;
        }
        total += amount * unitSeconds;
        if (total > 100LL * 365 * kSecondsPerDay)
            return std::nullopt; // beyond any retention: surely a typing error
    }
    return total * kNsPerSecond;
}

qint64 nowNs()
{
    using namespace std::chrono;
    return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace tsm::TimeText
