#pragma once

#include <QCommandLineOption>

namespace tsm::cli {

/** The options of the command line, shared by the commands that read them. Made on first use,
 *  after the application is named (--state's help names the default store). */
namespace SharedOptions {

const QCommandLineOption &state();
const QCommandLineOption &set();
const QCommandLineOption &restart();
const QCommandLineOption &task();
const QCommandLineOption &json();
const QCommandLineOption &repair();
const QCommandLineOption &metrics();

} // namespace SharedOptions
} // namespace tsm::cli
