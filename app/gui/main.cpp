#include "MainWindow.h"

#include <CheckpointStore.h>
#include <QApplication>
#include <QCommandLineParser>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"tsmigrate"_s);
    QApplication::setApplicationVersion(u"0.1.0"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Migrates time-series data; the desktop app."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption state(
        u"state"_s,
        u"The checkpoint store (default %1)."_s.arg(tsm::CheckpointStore::defaultPath()),
        u"FILE"_s);
    parser.addOption(state);
    parser.process(app);
    tsm::MainWindow window(parser.isSet(state) ? parser.value(state)
                                               : tsm::CheckpointStore::defaultPath());
    window.show();
    return QApplication::exec();
}
