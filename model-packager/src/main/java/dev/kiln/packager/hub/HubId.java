package dev.kiln.packager.hub;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub model: {@code hf:ORG/NAME[@REVISION]} (revision: a branch, tag or commit; default "main").
 */
public record HubId(String org, String name, String revision) {
    public static final String PREFIX = "hf:";
    private static final Pattern ID = Pattern.compile("hf:([A-Za-z0-9][\\w.-]*)/([A-Za-z0-9][\\w.-]*)(?:@([\\w./-]+))?");

    public static boolean isHubId(String s) { return s.startsWith(PREFIX); }

    public static HubId parse(String s) {
        Matcher m = ID.matcher(s);
        if (!m.matches() || s.contains("..")) {
            throw new IllegalArgumentException("'" + s + "' is not a hub id: expected hf:ORG/NAME or hf:ORG/NAME@REVISION"
                    + " (e.g. hf:HuggingFaceTB/SmolLM2-135M-Instruct)");
        }
        return new HubId(m.group(1), m.group(2), m.group(3) == null ? "main" : m.group(3));
    }

    /** {@code ORG/NAME/resolve/REVISION/FILE}, the hub's download path (revision slashes encoded). */
    String resolvePath(String file) {
        return org + "/" + name + "/resolve/" + revision.replace("/", "%2F") + "/" + file;
    }

    @Override public String toString() { return PREFIX + org + "/" + name + "@" + revision; }
}
