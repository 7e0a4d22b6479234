#include "DemoTask.h"
#include "MainWindow.h"

#include <CheckpointStore.h>
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"tsmigrate"_s);
    QApplication::setApplicationVersion(QStringLiteral(TSM_VERSION));
    // The menu entry's name (Wayland and the desktop match windows to it) and its icon.
    QGuiApplication::setDesktopFileName(u"org.tsmigrate.tsmigrate"_s);
    QApplication::setWindowIcon(QIcon(u":/icons/tsmigrate-256.png"_s));
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
    const QString storePath =
        parser.isSet(state) ? parser.value(state) : tsm::CheckpointStore::defaultPath();
    // A new store starts with the demo task, so there is something to press Start on.
    if (!QFileInfo::exists(storePath)) {
        const QString problem = tsm::DemoTask::seed(storePath);
        if (!problem.isEmpty())
            std::fprintf(stderr, "tsmigrate: no demo task: %s\n", qPrintable(problem));
    }
    tsm::MainWindow window(storePath);
    window.show();
    return QApplication::exec();
}
