#pragma once

class QShortcut;
class QWidget;

namespace tsm {

/// Escape, Ctrl+W and the platform's Close keys as one shortcut of `window`, from wherever the
/// focus is in it; the caller connects its activated() to what closing means there.
QShortcut *addCloseKeys(QWidget *window);

} // namespace tsm
