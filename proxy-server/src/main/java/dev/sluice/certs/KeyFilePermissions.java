package dev.sluice.certs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Who may read the CA key. Others: nobody. The group: only when root owns the file, which is how an administrator
 * deliberately shares a key (a Kubernetes Secret mounted with {@code fsGroup} arrives root-owned and 0440); a
 * key the Sluice user owns must be 0600 or stricter. PostgreSQL applies the same rule to its server key.
 */
final class KeyFilePermissions {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private KeyFilePermissions() {
    }

    /** Throws when {@code keyFile} is readable or writable by anyone it should not be. */
    static void check(Path keyFile) throws CaException {
        Set<PosixFilePermission> permissions;
        boolean ownedByRoot;
        try {
            permissions = Files.getPosixFilePermissions(keyFile);
            ownedByRoot = ((Integer) Files.getAttribute(keyFile, "unix:uid")) == 0;
        } catch (UnsupportedOperationException e) {
            return; // Not a POSIX file system: there are no mode bits to judge.
        } catch (IOException e) {
            throw new CaException("cannot read the CA key " + keyFile + ": " + e.getMessage(), e);
        }
        String problem = problem(permissions, ownedByRoot);
        if (problem != null) {
            throw new CaException("the CA key " + keyFile + " is " + problem + " (mode " + octal(permissions)
                    + "); anyone who reads it can impersonate every site to every client that trusts the CA. "
                    + "Run: chmod 600 " + keyFile);
        }
    }

    /** Null when acceptable, else what is wrong, e.g. "readable by others". */
    static String problem(Set<PosixFilePermission> permissions, boolean ownedByRoot) {
        if (permissions.contains(PosixFilePermission.OTHERS_READ)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            return "readable or writable by others";
        }
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)) {
            return "writable by its group";
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ) && !ownedByRoot) {
            return "readable by its group";
        }
        return null;
    }

    static String octal(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission permission : permissions) {
            // The enum lists OWNER_READ … OTHERS_EXECUTE, i.e. mode bits 8 down to 0.
            mode |= 1 << (8 - permission.ordinal());
        }
        return String.format("%04o", mode);
    }
}
