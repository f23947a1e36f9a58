# bash completion for profview(1)                          -*- shell-script -*-
#
# Installed as share/bash-completion/completions/profview (loaded on demand by
# bash-completion), or source it from ~/.bashrc.  Works without the
# bash-completion package too; uses its _filedir when it is there.
#
# Knows: every option of `profview --help` (long and short); sort keys after
# -s/--sort, also in comma-separated lists (the part after the last comma is
# completed), the --requests columns when --requests is on the line and the
# --diff orders when --diff is;
# formats after -f/--format; files and directories after -o/--output and
# --diff and for inputs; nothing for regular expressions, numbers, sizes and
# times.

_profview_opts='-s --sort -n --limit --fraction -m --match -x --exclude
--strip-dirs --short-paths --unit -q --quiet --endpoint --since --until --requests --diff --diff-threshold --diff-floor --fail-if --diff-widths --callers --callees
-f --format --node-threshold --edge-threshold --min-share --max-frames --max-depth
--inverted --icicle --merged --max-output --max-member-size
--max-archive-size -o --output -i --interactive --watch -h --help --version'

# pstats' sort keys (sort_stats), in --help order; "none" only stands alone.
_profview_sort_keys='calls ncalls cumtime cumulative filename line module name
nfl pcalls stdname time tottime'
_profview_request_keys='endpoint profiles total mean p50 p95 max calls'
_profview_formats='text callgrind pstats json dot csv svg speedscope folded html pprof'
_profview_diff_keys='absolute change relative base current name'

# _profview_words_to WORDLIST CUR [PREFIX]: COMPREPLY = the words of WORDLIST
# that start with CUR, each with PREFIX in front.
_profview_words_to()
{
    local w
    COMPREPLY=()
    for w in $1; do
        [[ $w == "$2"* ]] && COMPREPLY+=("$3$w")
    done
}

# File and directory names, with bash-completion's _filedir when loaded.
_profview_files()
{
    local cur=$1
    if declare -F _filedir >/dev/null 2>&1; then
        _filedir
        return
    fi
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    compopt -o filenames 2>/dev/null
}

# Sort keys for the word CUR: keys after the last comma (the part before it is
# kept), or the --requests columns when the command line has --requests.
_profview_sort()
{
    local cur=$1 requests=$2 head='' part=$1
    if [[ $requests == diff ]]; then
        _profview_words_to "$_profview_diff_keys" "$cur"
        return
    fi
    if [[ $requests ]]; then
        _profview_words_to "$_profview_request_keys" "$cur"
        return
    fi
    if [[ $cur == *,* ]]; then
        head=${cur%,*},
        part=${cur##*,}
        _profview_words_to "$_profview_sort_keys" "$part" "$head"
    else
        _profview_words_to "$_profview_sort_keys none" "$part"
    fi
}

_profview()
{
    local cur prev i requests='' opt='' optarg=''
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=''
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

    # --requests anywhere on the line changes what --sort takes; after "--"
    # everything is an input.
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        ((i == COMP_CWORD)) && continue
        case ${COMP_WORDS[i]} in
        --r*) [[ --requests == "${COMP_WORDS[i]}"* ]] && requests=1 ;;
        # not --di or --dif: they begin --diff-threshold and the rest too,
        # and profview refuses them as ambiguous
        --diff | --diff=*) requests=diff ;;
        --)
            if ((i < COMP_CWORD)); then
                _profview_files "$cur"
                return 0
            fi
            ;;
        esac
    done

    # The option whose argument is being completed, in every spelling:
    # "--sort cu", "--sort=cu" (one word, or three when COMP_WORDBREAKS has
    # "="), "-s cu", "-scu".
    if [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        optarg=${cur#*=}
    elif [[ $cur == = && $prev == --* ]]; then
        opt=$prev
        optarg=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[COMP_CWORD - 2]} == --* ]]; then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
        optarg=$cur
    elif [[ $cur == -[sfo]?* ]]; then
        opt=${cur:0:2}
        optarg=${cur:2}
    else
        opt=$prev
        optarg=$cur
    fi

    # A long option may be abbreviated (getopt_long): expand a unique prefix.
    if [[ $opt == --?* ]]; then
        local o match='' n=0
        for o in $_profview_opts; do
            if [[ $o == "$opt" ]]; then
                match=$o n=1
                break
            fi
            [[ $o == "$opt"* ]] && match=$o && ((n++))
        done
        ((n == 1)) && opt=$match
    fi

    local prefix=
    [[ $cur == --*=* ]] && prefix=${cur%%=*}=
    [[ $cur == -[sfo]?* && $opt == "${cur:0:2}" ]] && prefix=${cur:0:2}

    case $opt in
    -s | --sort)
        _profview_sort "$optarg" "$requests"
        if [[ $prefix ]]; then
            COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
        fi
        return 0
        ;;
    -f | --format)
        _profview_words_to "$_profview_formats" "$optarg" "$prefix"
        return 0
        ;;
    --unit)
        _profview_words_to "s ms us auto" "$optarg" "$prefix"
        return 0
        ;;
    --diff-widths)
        _profview_words_to "current base" "$optarg" "$prefix"
        return 0
        ;;
    -o | --output | --diff)
        if [[ $prefix ]]; then
            mapfile -t COMPREPLY < <(compgen -f -P "$prefix" -- "$optarg")
            compopt -o filenames 2>/dev/null
        else
            _profview_files "$optarg"
        fi
        return 0
        ;;
    -n | --limit | --fraction | -m | --match | -x | --exclude | --endpoint | --since | \
        --until | --node-threshold | --edge-threshold | --max-member-size | --max-archive-size | \
        --min-share | --max-frames | --max-depth | --max-output | --diff-threshold | --diff-floor | \
        --fail-if)
        # a number, regular expression, time or size: nothing to offer
        return 0
        ;;
    esac

    if [[ $cur == -* ]]; then
        _profview_words_to "$_profview_opts" "$cur"
        return 0
    fi
    _profview_files "$cur"
    return 0
}

complete -F _profview profview

# ex: filetype=sh
