#pragma once

#include "commands/Command.h"

namespace tsm::cli {

/** tsmigrate-cli options: every profile option with its default, range and help, one
 *  "KEY — label [range] (default …)" line each (bash completion of --set reads these). */
class Options : public Command
{
public:
    Options();
    int execute(const Invocation &invocation) override;
};

} // namespace tsm::cli
