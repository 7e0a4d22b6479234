#include "CloseKeys.h"

#include <QKeySequence>
#include <QList>
#include <QShortcut>
#include <QWidget>

namespace tsm {

QShortcut *addCloseKeys(QWidget *window)
{
    QList<QKeySequence> keys{QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_W)};
    // One shortcut for all: two shortcuts on the same keys would be ambiguous and fire neither.
    for (const QKeySequence &close : QKeySequence::keyBindings(QKeySequence::Close))
        if (!keys.contains(close))
            keys.append(close);
    auto *shortcut = new QShortcut(window);
    shortcut->setKeys(keys);
    shortcut->setContext(Qt::WindowShortcut);
    return shortcut;
}

} // namespace tsm
