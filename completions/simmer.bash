# bash completion for simmer: commands, options and the built-in factors.
_simmer()
{
	local cur prev words cword
	_init_completion || return
	local commands="log list undo delete factors factor import export status forecast why
		triggers backtest analyze alerts watch notify-test reload config version help"
	local factors="sleep sleep_hours sleep_quality stress activity activity_minutes activity_rpe
		pain stiffness fatigue bloating flare dairy gluten sugar alcohol processed_food late_meal
		skipped_meal nsaid omega3 fermented fever numbness weakness night_pain weight_loss"
	case "$prev" in
	--at|--since) COMPREPLY=($(compgen -W "now yesterday today -1h -2h -30m -1d" -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "csv jsonl" -- "$cur")); return ;;
	--kind) COMPREPLY=($(compgen -W "scale hours minutes event flare" -- "$cur")); return ;;
	--role) COMPREPLY=($(compgen -W "exposure symptom outcome red_flag treatment" -- "$cur")); return ;;
	--factor) COMPREPLY=($(compgen -W "$factors" -- "$cur")); return ;;
	--socket|--note) return ;;
	import) _filedir; return ;;
	esac
	if [[ $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands $factors" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "--at --note --json --since --factor --limit --format --socket" -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$factors" -- "$cur"))
	fi
}
complete -F _simmer simmer
