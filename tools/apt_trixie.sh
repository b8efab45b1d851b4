# Sourced by the fetch scripts: a private apt state for Debian trixie that
# leaves the system's apt configuration alone.
#
#   . tools/apt_trixie.sh
#   trixie_apt_setup "$deps" my-script-name     # sets $state and the apt_opts array
#   apt-get "${apt_opts[@]}" source --download-only PACKAGE
#
# The archive URI comes from the system's own sources (the first deb822
# stanza of /etc/apt/sources.list.d/debian.sources whose suites are not a
# -security suite; one-line /etc/apt/sources.list as a fallback): no host
# name is written into the repository.

trixie_archive_uri() {
    local src=/etc/apt/sources.list.d/debian.sources uri=""
    if [ -f "$src" ]; then
        uri=$(awk '
            /^[[:space:]]*$/ { if (u != "" && s !~ /security/) { print u; exit } u = ""; s = ""; next }
            /^URIs:/ { u = $2 }
            /^Suites:/ { s = $0 }
            END { if (u != "" && s !~ /security/) print u }' "$src" | head -n1)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    echo "$uri"
}

# trixie_apt_setup DEPS_DIR WHO: state dir $DEPS_DIR/apt-trixie, apt_opts, and
# an `apt-get update` the first time (or when its lists are missing).
trixie_apt_setup() {
    local deps="$1" who="$2" uri keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    uri=$(trixie_archive_uri)
    if [ -z "$uri" ]; then
        echo "$who: cannot find the Debian archive URI in the system's apt sources" >&2
        return 1
    fi
    state="$deps/apt-trixie"
    mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/src"
    cat > "$state/sources.list" <<EOF
deb [signed-by=$keyring] $uri trixie main
deb-src [signed-by=$keyring] $uri trixie main
EOF
    apt_opts=(
        -o "Dir::Etc::SourceList=$state/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$state/lists"
        -o "Dir::Cache=$state/cache"
        -o "Debug::NoLocking=1"
    )
    # As root, apt would try (and fail) to drop to its sandbox user for files here.
    [ "$(id -u)" -ne 0 ] || apt_opts+=(-o "APT::Sandbox::User=root")
    if ! ls "$state"/lists/*_Sources* >/dev/null 2>&1 || ! ls "$state"/lists/*_Packages* >/dev/null 2>&1; then
        echo "$who: apt update (private state in $state)"
        apt-get "${apt_opts[@]}" update -qq
    fi
}
