#pragma once

#include "core/Source.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace tsm::test {

/** What a decoder or source handed on: the text, the lines counted and the rejects. */
class CollectingOutput : public BatchOutput
{
public:
    QByteArray &buffer() override { return text; }
    void lineAppended() override { ++appended; }
    void reject(const QByteArray &description, const QString &reason) override
    {
        rejects.append({description, reason});
    }

    QByteArray text;
    qint64 appended = 0;
    QList<QPair<QByteArray, QString>> rejects;
};

} // namespace tsm::test
