#include "sinks/TDengineSqlSink.h"

#include "lp/LineParser.h"
#include "lp/LineProtocol.h"
#include "sinks/BatchBisector.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace tsm {

namespace {

constexpr int kTableNotExist = 0x2603;

bool isText(const QString &type)
{
    return type == u"BINARY"_s || type == u"NCHAR"_s;
}

QString floatText(double value)
{
    QByteArray text;
    lp::appendFloat(text, value);
    return QString::fromLatin1(text);
}

/// A value for a FLOAT or DOUBLE column. For FLOAT the float it stands for, written in full: the
/// source's shortest float text ("3.4028235e+38" for FLOAT's maximum) is a double above
/// FLT_MAX, which TDengine refuses for a FLOAT; the float's own value is not.
QString columnFloatText(double value, const QString &type)
{
    if (type == u"FLOAT"_s) {
        const float f = float(value);
        if (std::isfinite(f))
            value = double(f);
    }
    return floatText(value);
}

/// A line-protocol field as a value of `column`'s type, or why it cannot be one.
bool fieldValue(const lp::Field &field, const TdColumn &column, QString &out, QString *why)
{
    const QString &type = column.type;
    auto wrong = [&](const char *expected) {
        if (why)
            *why = u"field \"%1\" is %2 but column \"%1\" is %3 (%4 expected)"_s.arg(
                column.name, fieldTypeName(field.type), type, QLatin1String(expected));
        return false;
    };
    if (type == u"BOOL"_s) {
        if (field.type != FieldType::Boolean)
            return wrong("a boolean");
        out = field.b ? u"true"_s : u"false"_s;
        return true;
    }
    if (type.endsWith(u" UNSIGNED"_s)) {
        if (field.type == FieldType::Unsigned)
            out = QString::number(field.u);
        else if (field.type == FieldType::Integer && field.i >= 0)
            out = QString::number(field.i);
        else
            return wrong("an unsigned integer");
        return true;
    }
    if (type == u"TINYINT"_s || type == u"SMALLINT"_s || type == u"INT"_s || type == u"BIGINT"_s ||
        type == u"TIMESTAMP"_s) {
        if (field.type != FieldType::Integer)
            return wrong("an integer");
        out = QString::number(field.i);
        return true;
    }
    if (type == u"FLOAT"_s || type == u"DOUBLE"_s) {
        if (field.type != FieldType::Float)
            return wrong("a float");
        out = columnFloatText(field.f, type);
        return true;
    }
    if (isText(type) || type == u"JSON"_s) {
        if (field.type != FieldType::String)
            return wrong("a string");
        out = TDengineRest::quoteString(QString::fromStdString(field.s));
        return true;
    }
    if (why)
        *why =
            u"column \"%1\" has type %2, which this target cannot write"_s.arg(column.name, type);
    return false;
}

/// A tag value from its text in line protocol as a value of `column`'s type.
bool tagValue(const std::string &text, const TdColumn &column, QString &out, QString *why)
{
    const QString value = QString::fromStdString(text);
    const QString &type = column.type;
    bool ok = true;
    double number = 0;
    if (type == u"BOOL"_s)
        ok = value == u"true"_s || value == u"false"_s;
    else if (type.endsWith(u" UNSIGNED"_s))
        value.toULongLong(&ok);
    else if (type == u"FLOAT"_s || type == u"DOUBLE"_s)
        number = value.toDouble(&ok);
    else if (!isText(type) && type != u"JSON"_s)
        value.toLongLong(&ok); // TINYINT…BIGINT, TIMESTAMP (nanoseconds)
    if (!ok) {
        if (why)
            *why =
                u"tag \"%1\" is \"%2\", not a value of its type %3"_s.arg(column.name, value, type);
        return false;
    }
    if (type == u"FLOAT"_s || type == u"DOUBLE"_s)
        out = columnFloatText(number, type);
    else
        out = isText(type) || type == u"JSON"_s ? TDengineRest::quoteString(value) : value;
    return true;
}

QString precisionName(qint64 nsPerUnit)
{
    return nsPerUnit == 1000000 ? u"ms"_s : nsPerUnit == 1000 ? u"us"_s : u"ns"_s;
}

/// Nanoseconds as a time in the target's unit, when exact.
bool inUnit(qint64 ns, qint64 unit, QString &out, const QString &what, QString *why)
{
    if (ns % unit != 0) {
        if (why)
            *why = u"%1 %2 has digits below the target database's precision '%3'"_s.arg(
                what, QString::number(ns), precisionName(unit));
        return false;
    }
    out = QString::number(ns / unit);
    return true;
}

} // namespace

void TDengineSqlSink::checkPrecision(const TDengineDatabaseInfo &info) const
{
    const qint64 unit = info.precision == u"ms"_s   ? 1000000
                        : info.precision == u"us"_s ? 1000
                        : info.precision == u"ns"_s ? 1
                                                    : 0;
    if (unit == 0)
        throw Error(ErrorKind::Protocol, u"Database \"%1\" has precision '%2', none of ms, us "
                                         u"and ns"_s.arg(info.name, info.precision));
    m_targetUnit.store(unit);
}

QString TDengineSqlSink::describe() const
{
    return TDengineSink::describe() + u" (SQL, tables as in the source)"_s;
}

QString TDengineSqlSink::sqlValue(const QJsonValue &value, const TdColumn &column, qint64 nsPerUnit,
                                  qint64 targetUnit)
{
    if (value.isNull() || value.isUndefined())
        return u"NULL"_s;
    const QString &type = column.type;
    if (type == u"BOOL"_s)
        return (value.isBool() ? value.toBool() : value.toInteger() != 0) ? u"true"_s : u"false"_s;
    if (type == u"TIMESTAMP"_s)
        return QString::number(value.toInteger() * nsPerUnit / targetUnit);
    if (type == u"FLOAT"_s || type == u"DOUBLE"_s)
        return columnFloatText(TDengineRest::doubleOf(value), type);
    if (isText(type) || type == u"JSON"_s) {
        if (value.isObject())
            return TDengineRest::quoteString(
                QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
        return TDengineRest::quoteString(value.toString());
    }
    if (type.endsWith(u" UNSIGNED"_s) && value.toInteger(-1) < 0)
        return QString::number(quint64(value.toDouble()));
    return QString::number(value.toInteger(qint64(value.toDouble())));
}

std::optional<SuperTableDef> TDengineSqlSink::describeTarget(const QString &stable,
                                                             const CancelToken &cancel)
{
    const SqlResult result =
        rest().query(u"DESCRIBE %1.%2"_s.arg(TDengineRest::quoteIdentifier(database()),
                                             TDengineRest::quoteIdentifier(stable)),
                     cancel, {kTableNotExist});
    if (result.code == kTableNotExist)
        return std::nullopt;
    return superTableFromDescribe(result, stable, rest().where());
}

QString TDengineSqlSink::mismatch(const SuperTableDef &source, const SuperTableDef &target,
                                  bool tagsToo)
{
    auto compare = [](const QList<TdColumn> &wanted, const QList<TdColumn> &have,
                      const char *kind) -> QString {
        for (const TdColumn &w : wanted) {
            const auto it = std::find_if(have.begin(), have.end(), [&](const TdColumn &h) {
                return h.name.compare(w.name, Qt::CaseInsensitive) == 0;
            });
            if (it == have.end())
                return u"it has no %1 \"%2\""_s.arg(QLatin1String(kind), w.name);
            if (it->type != w.type || (isText(w.type) && it->length < w.length))
                return u"its %1 \"%2\" is %3, the source's is %4"_s.arg(QLatin1String(kind), w.name,
                                                                        it->sqlType(), w.sqlType());
        }
        return QString();
    };
    if (!target.columns.isEmpty() && !source.columns.isEmpty() &&
        target.columns.front().name.compare(source.columns.front().name, Qt::CaseInsensitive) != 0)
        return u"its timestamp column is \"%1\", the source's is \"%2\""_s.arg(
            target.columns.front().name, source.columns.front().name);
    QString problem = compare(source.columns, target.columns, "column");
    if (problem.isEmpty() && tagsToo)
        problem = compare(source.tags, target.tags, "tag");
    return problem;
}

void TDengineSqlSink::syncSchema(Source &source, const QString &database,
                                 const QStringList &measurements, bool create,
                                 const CancelToken &cancel)
{
    auto *catalog = dynamic_cast<SuperTableCatalog *>(&source);
    if (!catalog)
        throw Error(ErrorKind::Config,
                    u"%1 writes the tables of a TDengine 2.x source; %2 has none"_s.arg(
                        describe(), source.describe()));
    syncTables(catalog->superTables(database, measurements, create, cancel), create, cancel);
}

void TDengineSqlSink::syncTables(const QList<SuperTableDef> &defs, bool create,
                                 const CancelToken &cancel)
{
    const qint64 targetUnit = m_targetUnit.load();
    for (const SuperTableDef &def : defs) {
        if (def.nsPerUnit < targetUnit)
            throw Error(ErrorKind::Config,
                        u"Database \"%1\" on %2 has precision '%3', coarser than the source's "
                        u"'%4': timestamps would lose digits and points in the same %3 would "
                        u"merge. Use a database with precision '%4' or 'ns' (a new name lets the "
                        u"task create one)"_s.arg(database(), rest().where(),
                                                  precisionName(targetUnit),
                                                  precisionName(def.nsPerUnit)));
    }
    QStringList missing;
    QStringList different;
    for (const SuperTableDef &def : defs) {
        if (create) {
            QString columns;
            for (const TdColumn &c : def.columns)
                columns += (columns.isEmpty() ? QString() : u", "_s) +
                           TDengineRest::quoteIdentifier(c.name) + u' ' + c.sqlType();
            QString tags;
            for (const TdColumn &t : def.tags)
                tags += (tags.isEmpty() ? QString() : u", "_s) +
                        TDengineRest::quoteIdentifier(t.name) + u' ' + t.sqlType();
            rest().query(u"CREATE STABLE IF NOT EXISTS %1.%2 (%3) TAGS (%4)"_s.arg(
                             TDengineRest::quoteIdentifier(database()),
                             TDengineRest::quoteIdentifier(def.name), columns, tags),
                         cancel);
        }
        const std::optional<SuperTableDef> target = describeTarget(def.name, cancel);
        if (!target) {
            missing.append(def.name);
            continue;
        }
        const QString problem = mismatch(def, *target, create);
        if (!problem.isEmpty())
            different.append(u"\"%1\": %2"_s.arg(def.name, problem));
    }
    if (!missing.isEmpty())
        throw Error(ErrorKind::NotFound,
                    u"Super tables missing in database \"%1\" on %2: %3. Schema sync \"none\" "
                    u"writes into existing tables only: create them, or choose schema sync "
                    u"\"always\""_s.arg(database(), rest().where(), missing.join(u", "_s)));
    if (!different.isEmpty())
        throw Error(ErrorKind::Config,
                    u"Super tables in database \"%1\" on %2 differ from the source: %3"_s.arg(
                        database(), rest().where(), different.join(u"; "_s)));
    qsizetype subtables = 0;
    for (const SuperTableDef &def : defs) {
        if (create)
            createSubtables(def, cancel);
        subtables += def.subtables.size();
        std::lock_guard<std::mutex> lock(m_defsMutex);
        m_create = create;
        SuperTableDef kept = def;
        kept.subtables.clear();
        m_defs.insert(def.name, kept);
    }
    std::lock_guard<std::mutex> lock(m_defsMutex);
    m_schemaSummary =
        create ? u"%1 super tables and %2 subtables created or found in database \"%3\""_s
                     .arg(defs.size())
                     .arg(subtables)
                     .arg(database())
               : u"%1 super tables found as the source's in database \"%2\""_s.arg(defs.size())
                     .arg(database());
}

QString TDengineSqlSink::schemaSummary() const
{
    std::lock_guard<std::mutex> lock(m_defsMutex);
    return m_schemaSummary;
}

void TDengineSqlSink::createSubtables(const SuperTableDef &def, const CancelToken &cancel)
{
    const QString stable = u"%1.%2"_s.arg(TDengineRest::quoteIdentifier(database()),
                                          TDengineRest::quoteIdentifier(def.name));
    QString sql;
    int tables = 0;
    auto flush = [&] {
        if (tables > 0)
            rest().query(sql, cancel);
        sql.clear();
        tables = 0;
    };
    for (const TdSubtable &subtable : def.subtables) {
        QString values;
        for (qsizetype i = 0; i < def.tags.size(); ++i)
            values += (i ? u", "_s : QString()) + sqlValue(subtable.tagValues.at(i), def.tags.at(i),
                                                           def.nsPerUnit, m_targetUnit.load());
        const QString clause = u" IF NOT EXISTS %1.%2 USING %3 TAGS (%4)"_s.arg(
            TDengineRest::quoteIdentifier(database()), TDengineRest::quoteIdentifier(subtable.name),
            stable, values);
        if (tables >= kTablesPerCreate || sql.size() + clause.size() > kMaxStatementBytes / 2)
            flush();
        if (tables == 0)
            sql = u"CREATE TABLE"_s;
        sql += clause;
        ++tables;
    }
    flush();
}

SuperTableDef TDengineSqlSink::definitionFor(const QString &stable, const CancelToken &cancel)
{
    {
        std::lock_guard<std::mutex> lock(m_defsMutex);
        const auto it = m_defs.constFind(stable);
        if (it != m_defs.constEnd())
            return *it;
    }
    const std::optional<SuperTableDef> target = describeTarget(stable, cancel);
    if (!target)
        throw Error(ErrorKind::NotFound,
                    u"Super table \"%1\" does not exist in database \"%2\" on %3"_s.arg(
                        stable, database(), rest().where()));
    std::lock_guard<std::mutex> lock(m_defsMutex);
    m_defs.insert(stable, *target);
    return *target;
}

bool TDengineSqlSink::prepareLine(const QByteArray &line, Prepared &out, QString *why,
                                  const CancelToken &cancel)
{
    thread_local lp::Point point;
    point = lp::Point();
    QString parseError;
    if (!lp::parseLine(std::string_view(line.constData(), size_t(line.size())), point,
                       &parseError)) {
        *why = u"unreadable line protocol: "_s + parseError;
        return false;
    }
    const std::string key = subtableTagKey().toStdString();
    const auto tag = std::find_if(point.tags.begin(), point.tags.end(),
                                  [&](const auto &t) { return t.first == key; });
    if (tag == point.tags.end()) {
        *why = u"the point has no tag \"%1\" naming its subtable"_s.arg(subtableTagKey());
        return false;
    }
    if (!point.hasTime) {
        *why = u"the point has no timestamp"_s;
        return false;
    }
    const SuperTableDef def = definitionFor(QString::fromStdString(point.measurement), cancel);
    const qint64 unit = m_targetUnit.load();
    QStringList values(def.columns.size(), u"NULL"_s);
    if (!inUnit(point.time, unit, values[0], u"timestamp"_s, why))
        return false;
    for (const lp::Field &field : point.fields) {
        const QString name = QString::fromStdString(field.key);
        qsizetype at = -1;
        for (qsizetype c = 1; c < def.columns.size(); ++c)
            if (def.columns.at(c).name == name)
                at = c;
        if (at < 0) {
            *why = u"super table \"%1\" has no column \"%2\""_s.arg(def.name, name);
            return false;
        }
        if (!fieldValue(field, def.columns.at(at), values[at], why))
            return false;
        if (def.columns.at(at).type == u"TIMESTAMP"_s &&
            !inUnit(field.i, unit, values[at], u"column \"%1\""_s.arg(name), why))
            return false;
    }
    QString columns;
    for (const TdColumn &c : def.columns)
        columns +=
            (columns.isEmpty() ? QString() : u", "_s) + TDengineRest::quoteIdentifier(c.name);
    QStringList tags(def.tags.size(), u"NULL"_s);
    for (qsizetype t = 0; t < def.tags.size(); ++t) {
        const std::string name = def.tags.at(t).name.toStdString();
        for (const auto &[k, v] : point.tags)
            if (k == name && !tagValue(v, def.tags.at(t), tags[t], why))
                return false;
        if (def.tags.at(t).type == u"TIMESTAMP"_s && tags[t] != u"NULL"_s &&
            !inUnit(tags[t].toLongLong(), unit, tags[t], u"tag \"%1\""_s.arg(def.tags.at(t).name),
                    why))
            return false;
    }
    out.using_ =
        u"%1.%2 TAGS (%3)"_s.arg(TDengineRest::quoteIdentifier(database()),
                                 TDengineRest::quoteIdentifier(def.name), tags.join(u", "_s));
    out.table = u"%1.%2"_s.arg(TDengineRest::quoteIdentifier(database()),
                               TDengineRest::quoteIdentifier(QString::fromStdString(tag->second)));
    out.columns = columns;
    out.tuple = u'(' + values.join(u", "_s) + u')';
    return true;
}

void TDengineSqlSink::throwMissing(const QStringList &tables, const CancelToken &cancel)
{
    QStringList missing;
    for (const QString &table : tables) {
        const SqlResult result = rest().query(u"DESCRIBE "_s + table, cancel, {kTableNotExist});
        if (result.code == kTableNotExist)
            missing.append(table);
    }
    if (missing.isEmpty())
        missing = tables;          // gone again, or TDengine words it differently: name them all
    for (QString &table : missing) // `db`.`name` -> name
        table = table.mid(table.indexOf(u"`.`"_s) + 3).chopped(1);
    throw Error(ErrorKind::NotFound,
                u"Subtables missing in database \"%1\" on %2: %3. Schema sync \"none\" writes "
                u"into existing tables only: create them, or choose schema sync \"always\""_s.arg(
                    database(), rest().where(), missing.join(u", "_s)));
}

WriteResult TDengineSqlSink::write(const Batch &batch, const CancelToken &cancel)
{
    WriteResult result;
    if (batch.isEmpty())
        return result;

    // Every line checked and formatted once; the statements are built from the lines that pass.
    Batch checked;
    QHash<QByteArray, Prepared> prepared;
    const auto spans = BatchBisector::lineSpans(batch.lines);
    const qint64 lineCount = std::min<qint64>(qint64(spans.size()), batch.points);
    for (qint64 i = 0; i < lineCount; ++i) {
        const QByteArray line = batch.lines.mid(spans[size_t(i)].first,
                                                spans[size_t(i)].second - spans[size_t(i)].first);
        Prepared row;
        QString why;
        if (!prepared.contains(line)) {
            if (!prepareLine(line, row, &why, cancel)) {
                BatchBisector::reject(batch, i, line, why, result);
                continue;
            }
            prepared.insert(line, row);
        }
        checked.lines.append(line);
        checked.lines.append('\n');
        checked.countLine(BatchBisector::unitOfLine(batch, i));
    }
    for (qint64 i = lineCount; i < batch.points; ++i)
        BatchBisector::reject(batch, i, {}, u"the batch holds fewer lines than its point count"_s,
                              result);
    if (checked.isEmpty())
        return result;
    bool create = false;
    {
        std::lock_guard<std::mutex> lock(m_defsMutex);
        create = m_create;
    }

    BatchBisector::write(
        checked,
        [&](const Batch &part, WriteResult &) -> BatchBisector::Answer {
            // Rows grouped by subtable, in the order they came.
            QStringList order;
            QHash<QString, QString> valuesOf;
            QHash<QString, QString> columnsOf;
            QHash<QString, QString> usingOf;
            for (const auto &[begin, end] : BatchBisector::lineSpans(part.lines)) {
                const Prepared &row = prepared[part.lines.mid(begin, end - begin)];
                auto it = valuesOf.find(row.table);
                if (it == valuesOf.end()) {
                    order.append(row.table);
                    columnsOf.insert(row.table, row.columns);
                    usingOf.insert(row.table, row.using_);
                    it = valuesOf.insert(row.table, QString());
                }
                it->append(row.tuple);
            }
            QString sql = u"INSERT INTO"_s;
            for (const QString &table : order)
                sql += u' ' + table + u" ("_s + columnsOf.value(table) + u") VALUES "_s +
                       valuesOf.value(table);
            if (sql.size() > kMaxStatementBytes)
                return {BatchBisector::Verdict::TooLarge,
                        u"the row alone makes a statement longer than TDengine accepts"_s};
            try {
                SqlResult answer = rest().query(sql, cancel, {kTableNotExist});
                if (answer.code == kTableNotExist && create) {
                    // Subtables the source gained after the sync: created as the sync would.
                    QString ddl = u"CREATE TABLE"_s;
                    for (const QString &table : order)
                        ddl += u" IF NOT EXISTS "_s + table + u" USING "_s + usingOf.value(table);
                    rest().query(ddl, cancel);
                    answer = rest().query(sql, cancel, {kTableNotExist});
                }
                if (answer.code == kTableNotExist)
                    throwMissing(order, cancel);
            } catch (const Error &error) {
                if (error.kind() != ErrorKind::Query)
                    throw;
                return {BatchBisector::Verdict::Refused, error.message()};
            }
            return {BatchBisector::Verdict::Written, {}};
        },
        result);
    return result;
}

void TDengineSqlSink::prepareCount(const QList<CountWindow> &, const CancelToken &cancel)
{
    if (const std::optional<TDengineDatabaseInfo> info = databaseInfo(cancel))
        checkPrecision(*info);
}

PointCount TDengineSqlSink::count(const CountWindow &window, const CancelToken &cancel)
{
    const std::optional<SuperTableDef> def = describeTable(window.measurement, cancel);
    if (!def) {
        PointCount none;
        none.points = 0;
        return none;
    }
    // The first time at or after a nanosecond bound, in the database's units.
    const qint64 unit = m_targetUnit.load();
    const auto ceilUnits = [unit](qint64 ns) {
        return ns / unit + (ns % unit > 0 ? 1 : 0);
    };
    return countRows(*def, window.subtable.isEmpty() ? window.measurement : window.subtable,
                     ceilUnits(window.start), ceilUnits(window.end), cancel);
}

} // namespace tsm
