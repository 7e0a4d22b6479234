# bash completion for tsmigrate-cli: its commands, its options, and the profile keys that
# --set takes, read from `tsmigrate-cli options` so they always match the installed version.
_tsmigrate_cli()
{
    local cur prev words cword
    _init_completion -n = || return

    local commands="run check schema plan status verify options"
    local options="--state --set --restart --task --json --repair --metrics --help --version"
    local command="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            run | check | schema | plan | status | verify | options) command=${words[i]}; break ;;
        esac
    done

    case "$prev" in
        --state)
            _filedir sqlite
            return
            ;;
        --set)
            local keys
            keys=$("${words[0]}" options 2>/dev/null | sed -n 's/^\([A-Za-z0-9_.]*\) — .*/\1=/p')
            compopt -o nospace
            COMPREPLY=($(compgen -W "$keys" -- "$cur"))
            return
            ;;
        --task | --metrics)
            return
            ;;
    esac

    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif [ -z "$command" ]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    else
        case "$command" in
            run | check | schema | plan | verify) _filedir json ;;
        esac
    fi
}
complete -F _tsmigrate_cli tsmigrate-cli
