package dev.sluice.passthrough;

import java.util.List;

/**
 * Entries of automatic passthrough as the admin listener shows them: at most a given number of each kind, the most
 * recently active, mTLS origins first, each kind by host.
 *
 * @param entries the entries shown
 * @param mtls    how many mTLS entries there were in all
 * @param pinned  how many pinned entries there were in all
 */
public record PassthroughListing(List<PassthroughEntry> entries, long mtls, long pinned) {
    /** Whether some entries were left out. */
    public boolean truncated() {
        return entries.size() < mtls + pinned;
    }
}
