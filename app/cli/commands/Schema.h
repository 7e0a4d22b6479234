#pragma once

#include "commands/Command.h"

#include <QString>

namespace tsm {
class Source;
class CancelToken;
} // namespace tsm

namespace tsm::cli {

/** tsmigrate-cli schema: the source's databases (or the profile's bucket), their measurements,
 *  and each measurement's tag keys and field keys with their types. */
class Schema : public Command
{
public:
    Schema();
    int execute(const Invocation &invocation) override;

private:
    static void printDatabase(Source &source, const QString &database, const CancelToken &cancel);
};

} // namespace tsm::cli
