#pragma once

#include <QString>
#include <QStringList>

namespace tsm {

/** TLS settings of one connection. */
struct TlsSettings
{
    bool verify = true;
    QString caFile;
};

/** Where data comes from. `type`: influxdb | tdengine2 | lpfile. */
struct SourceSettings
{
    QString type;
    QString protocol;
    QString host;
    int port = 0;
    TlsSettings tls;
    QString apiVersion; ///< "1.x" or "2.x": which authentication tab applies
    QString version;
    QString user;
    QString password;
    QString orgId;
    QString token;
    bool addDbrp = false;
    QString path; ///< lpfile: a .lp or .lp.gz file
    /// tdengine2 before 2.4: read FLOAT/DOUBLE although the built-in httpd rounds them.
    bool acceptRoundedFloats = false;
    /// tdengine2: read each window of a super table with one query, not one per subtable.
    bool sparse = false;
};

/** Where data goes. `type`: tdengine3 | influxdb1 | influxdb2 | influxdb3 | lpfile. */
struct TargetSettings
{
    QString type;
    QString protocol;
    QString host;
    int port = 0;
    TlsSettings tls;
    QString user;
    QString password;
    QString orgId;
    QString token;
    QString database;
    bool createDatabase = false;
    QString path;
    bool compress = false;
    /// TDengine 3: the tag whose value names a point's child table; empty = TDengine's hash.
    QString childTableName;
};

/** What to move and when. Times are RFC 3339 text as the user typed them. */
struct TaskSettings
{
    QString bucket;
    QString retentionPolicy;
    QStringList measurements; ///< empty = all
    QString start;
    QString end; ///< empty = keep following new data
    QString timeZone;
    int windowMinutes = 0;
    int delaySeconds = 0;
    QString mode;       ///< history | realtime | both
    QString retro;      ///< realtime: back-fill this long before the first run ("2h"); empty = none
    int pollSeconds = 0; ///< following: seconds between two reads of new data
    QString schemaSync; ///< always | none | only (create the tables, move no data)
    QStringList tables; ///< tdengine2: "stable.table" subtables, beside `measurements`
    QString seriesFilter; ///< InfluxQL condition on tags; empty = every series
    QStringList rename;   ///< "measurement:from=to", "tag:from=to", "field:from=to"
    QString renameFile;   ///< CSV of kind,from,to lines, applied before `rename`
    QStringList addTags;  ///< "key=value": constant tags added to every point
};

struct AdvancedSettings
{
    QString logLevel; ///< error | warn | info | debug | trace
    int readConcurrency = 0;
    int writeConcurrency = 0;
    int batchSize = 0;
    int retryAttempts = 0;      ///< attempts per request before a transient failure is final
    int retryForMinutes = 0;    ///< how long a history run waits out failures that may pass
    int idleTimeoutSeconds = 0; ///< a request fails when no byte arrives for this long
    bool verify = false;        ///< a history ends by counting each window on both sides
    QString onKeyClash;         ///< rename | reject: a tag and a field with one key
    QString onTypeConflict;     ///< suffix | convert | reject: a field with more than one type
    int bounceErrors = 0;       ///< health: write errors within the window that make it Bounce
    int bounceWindowSeconds = 0; ///< health: that window
    int idleSeconds = 0;         ///< health: following without new data this long is Idle
    int maxPointsPerSecond = 0; ///< points written per second over the whole task; 0 = no limit
    int readIntervalMs = 0;     ///< a reader's pause between two consecutive reads
    QString rejectsFile;        ///< where refused points go; empty = beside the state file
    QString onRefused;          ///< continue | stop: what a point the target refuses does
};

/**
 * A migration task: every option of the documented form. A plain value; the defaults, ranges
 * and help texts live in TaskOptions (one declaration per option), and
 * TaskProfile::withDefaults() is the only way to get a profile with them applied.
 */
struct TaskProfile
{
    int version = 1;
    QString name;
    SourceSettings source;
    TargetSettings target;
    TaskSettings task;
    AdvancedSettings advanced;

    static TaskProfile withDefaults();
};

} // namespace tsm
