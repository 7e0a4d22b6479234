#pragma once

#include <QString>

namespace tsm::store {

class Connection;

/**
 * The tables of the checkpoint store and the steps that upgrade them. PRAGMA user_version
 * counts the steps a file has had; each step upgrades one version and is never edited once
 * released, so every older file reaches the current tables the same way.
 */
class Schema
{
public:
    static constexpr int kVersion = 8;

    /// Brings the file to kVersion, or (read-only) checks that it is there. Throws StoreError.
    static void migrate(Connection &db, bool readOnly, const QString &path);

private:
    static int readVersion(Connection &db);
    /// Refuses a file that this version of tsmigrate cannot use as it is.
    static void checkVersion(int version, bool readOnly, const QString &path);
    /// Applies each step past `version` and records the new version.
    static void upgrade(Connection &db, int version);
};

} // namespace tsm::store
