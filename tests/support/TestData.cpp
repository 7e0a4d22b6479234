#include "support/TestData.h"

namespace tsm::test {

QByteArray seriesLines(int series, int points, qint64 t0, qint64 step,
                       const std::function<QByteArray(int s, int i)> &point)
{
    QByteArray lines;
    for (int s = 0; s < series; ++s)
        for (int i = 0; i < points; ++i)
            lines += point(s, i) + ' ' + QByteArray::number(t0 + qint64(i) * step) + '\n';
    return lines;
}

} // namespace tsm::test
