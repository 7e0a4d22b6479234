#include "Renaming.h"

using namespace Qt::StringLiterals;

namespace tsm {

QString Renaming::describe() const
{
    if (kind == Kind::Tag)
        return u"tag \"%1\" → \"%2\" (a field has the same key)"_s.arg(name, target);
    if (convert)
        return u"field \"%1\": %2 values a float holds exactly stay in \"%1\" as floats, the "
               u"others → \"%3\" (the field is %4 first)"_s.arg(name, type, target, firstType);
    return u"field \"%1\": %2 values → \"%3\" (the field is %4 first)"_s.arg(name, type, target,
                                                                              firstType);
}

QString renamingKindName(Renaming::Kind kind)
{
    return kind == Renaming::Kind::Tag ? u"tag"_s : u"field"_s;
}

Renaming::Kind renamingKind(const QString &name)
{
    return name == u"tag"_s ? Renaming::Kind::Tag : Renaming::Kind::Field;
}

} // namespace tsm
