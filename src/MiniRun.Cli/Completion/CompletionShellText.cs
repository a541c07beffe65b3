namespace MiniRun.Cli.Completion;

/// <summary>
/// The fixed parts of the completion scripts. The core is written in the shell language bash and zsh share (no
/// arrays, no word splitting of variables), so one text serves both: it reads the words of the command line as
/// its arguments and prints the candidates for one of them, one a line, for the shell to filter by prefix.
/// </summary>
internal static class CompletionShellText
{
    public const string Candidates = """

        # minirun as typed, with the --root of the command line being completed; its errors (no store, not root) hidden
        _minirun_cli() {
            if [ -n "$root" ]; then "$bin" --root "$root" "$@" 2>/dev/null; else "$bin" "$@" 2>/dev/null; fi
        }

        _minirun_containers() {
            _minirun_cli ps -a --format '{{.Names}}'
        }

        # REPOSITORY:TAG of each named image (a <none> tag gives the repository alone)
        _minirun_images() {
            local repository tag rest
            # IFS of its own: bash's wrapper splits candidates at newlines only.
            _minirun_cli images | while IFS=' ' read -r repository tag rest; do
                case "$repository:$tag" in
                    REPOSITORY:TAG | '<none>':*) ;;
                    *:'<none>') printf '%s\n' "$repository" ;;
                    *) printf '%s\n' "$repository:$tag" ;;
                esac
            done
        }

        # N WORD...: the candidates for word N (from 0) of the command line WORD... (WORD 0 is minirun itself)
        _minirun_candidates() {
            local cword=$1 bin=$2 n=0 verb= root= cur= prev= positional=0 value=0 operands=0 word sub
            shift
            for word in "$@"; do
                if [ "$n" -eq "$cword" ]; then
                    cur=$word
                    break
                fi
                if [ "$n" -eq 0 ]; then
                    :
                elif [ "$value" = 1 ]; then
                    value=0
                    if [ -z "$verb" ] && [ "$prev" = --root ]; then root=$word; fi
                elif [ -z "$verb" ]; then
                    case $word in
                        --root|--storage-driver) value=1 ;;
                        --root=*) root=${word#--root=} ;;
                        -*) ;;
                        *) verb=$word ;;
                    esac
                elif [ "$operands" = 1 ]; then
                    positional=$((positional + 1))
                else
                    case $word in
                        --) operands=1 ;;
                        -*=*) ;;
                        -?*) if _minirun_takes_value "$verb" "$word"; then value=1; fi ;;
                        *)
                            # `container rm NAME`: after a management command's subcommand, that verb's completion
                            if [ "$positional" -eq 0 ] && sub=$(_minirun_subverb "$verb" "$word"); then
                                verb=$sub
                            else
                                positional=$((positional + 1))
                                if _minirun_stops_at_command "$verb"; then operands=1; fi
                            fi
                            ;;
                    esac
                fi
                prev=$word
                n=$((n + 1))
            done
            if [ "$value" = 1 ]; then
                if [ -n "$verb" ]; then _minirun_values "$verb" "$prev"; elif [ "$prev" = --storage-driver ]; then printf '%s\n' overlay vfs btrfs; fi
                return 0
            fi
            if [ -z "$verb" ]; then
                case $cur in
                    -*) printf '%s\n' --root --storage-driver --help --version -h -v ;;
                    *) _minirun_verbs ;;
                esac
                return 0
            fi
            if [ "$operands" = 0 ]; then
                case $cur in
                    --*=*)
                        local flag="${cur%%=*}"
                        _minirun_values "$verb" "$flag" | while read -r word; do printf '%s\n' "$flag=$word"; done
                        return 0
                        ;;
                    -*)
                        _minirun_flags "$verb"
                        return 0
                        ;;
                esac
            fi
            _minirun_operands "$verb" "$positional"
        }

        """;

    public const string BashWrapper = """

        _minirun() {
            local -a words=()
            local i word joined=0
            # bash splits "minibox:latest" and "--network=host" at ':' and '=' (COMP_WORDBREAKS): join them again.
            for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
                word=${COMP_WORDS[i]}
                if [[ ($word == : || $word == =) && ${#words[@]} -gt 0 ]]; then
                    words[-1]+=$word
                    joined=1
                elif ((joined)); then
                    words[-1]+=$word
                    joined=0
                else
                    words+=("$word")
                fi
            done
            ((COMP_CWORD < ${#COMP_WORDS[@]})) || words+=("")
            local cur=${words[-1]}
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(_minirun_candidates $((${#words[@]} - 1)) "${words[@]}")" -- "$cur"))
            # bash replaces only what follows the last ':' or '=' of the word: drop what precedes it.
            local breaks=${COMP_WORDBREAKS//[^:=]/}
            if [[ -n $breaks && $cur == *[$breaks]* ]]; then
                local prefix=${cur%"${cur##*[$breaks]}"}
                COMPREPLY=("${COMPREPLY[@]#"$prefix"}")
            fi
        }

        # No candidates (a file, a new name, the container's command): the shell's own file names.
        complete -o default -F _minirun minirun

        """;

    public const string ZshWrapper = """

        _minirun() {
            local -a candidates
            candidates=("${(@f)$(_minirun_candidates $((CURRENT - 1)) "${words[@]}")}")
            candidates=(${candidates:#})
            if (( ${#candidates} )); then
                compadd -- "${candidates[@]}"
            else
                _files
            fi
        }

        # Autoloaded from fpath by compinit, this file is _minirun's body: complete now. Sourced, register.
        if [ "${funcstack[1]}" = _minirun ]; then
            _minirun "$@"
        else
            compdef _minirun minirun
        fi

        """;
}
