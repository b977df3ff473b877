package dev.sluice.reload;

import java.util.List;

/**
 * What one reload did.
 *
 * @param applied     whether the new configuration is in force now
 * @param errors      why it was not, one line each ({@code file:line: key: message} for config errors)
 * @param summary     on success, what changed (rule count, default, CA fingerprint, sections), for the log
 * @param restartOnly changed keys that keep their started value until a restart
 */
public record ReloadOutcome(boolean applied, List<String> errors, String summary, List<String> restartOnly) {
    public ReloadOutcome {
        errors = List.copyOf(errors);
        restartOnly = List.copyOf(restartOnly);
    }

    static ReloadOutcome failed(List<String> errors) {
        return new ReloadOutcome(false, errors, null, List.of());
    }
}
