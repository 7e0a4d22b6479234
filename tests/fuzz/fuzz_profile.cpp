// A profile file as a user writes one, then `--set KEY=VALUE` overrides (the pieces after NUL
// bytes), as the profile loader applies them. A profile that loads and validates is written
// out and read back to the same profile.
#include "FuzzCheck.h"
#include "ProfileJson.h"
#include "ProfileLoader.h"
#include "TaskOptions.h"

using namespace tsm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const QList<QByteArray> pieces = input.split('\0');
    ProfileJson::LoadResult loaded = ProfileJson::fromJson(pieces.first());
    if (!loaded.ok())
        return 0;
    for (qsizetype i = 1; i < pieces.size(); ++i) {
        QString error;
        if (!ProfileLoader::applySetting(loaded.profile, QString::fromUtf8(pieces.at(i)), &error))
            FUZZ_CHECK(!error.isEmpty(), "a refused setting without a reason");
    }
    ProfileLoader::missingSecrets(loaded.profile);
    if (!validateProfile(loaded.profile).isEmpty())
        return 0;

    const QByteArray written = ProfileJson::toJson(loaded.profile, true);
    const ProfileJson::LoadResult back = ProfileJson::fromJson(written);
    FUZZ_CHECK(back.ok(), "a valid profile, written out, does not load");
    FUZZ_CHECK(validateProfile(back.profile).isEmpty(), "a valid profile read back is invalid");
    FUZZ_CHECK(ProfileJson::toJson(back.profile, true) == written,
               "a profile read back differs from the one written");
    return 0;
}
