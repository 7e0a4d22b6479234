#include "cli/Cli.h"

int main(int argc, char **argv)
{
    return tsm::Cli::main(argc, argv);
}
