# bash completion for simmer: commands, each command's own options, config
# keys, and factor names including the person's own (from simmerd, through
# `simmer factors --names`). Plain bash: the bash-completion package is not
# needed.

_simmer_commands="log list undo delete factors factor import export backup restore status forecast why
	triggers backtest analyze report experiment alerts refused watch notify-test reload config reminder version
	help"

# The options each command takes (the global --json and --socket come with all).
_simmer_options()
{
	case "$1" in
	log) echo "--at --note --new" ;;
	list) echo "--since --factor --limit" ;;
	factors) echo "--names" ;;
	factor) echo "--kind --role --unit" ;;
	import) echo "--from --user" ;;
	export) echo "--format --since" ;;
	status) echo "--format" ;;
	alerts) echo "--limit" ;;
	refused) echo "--clear" ;;
	report) echo "--days --html" ;;
	experiment) echo "--eliminate --reintroduce --washout --cycles --start" ;;
	esac
	echo "--json --socket --help"
}

# Factor names from the running simmerd, or the built-in ones without it.
_simmer_factors()
{
	local names
	names=$(command simmer factors --names 2>/dev/null) ||
		names="pain stiffness fatigue bloating flare mood energy stress sleep sleep_hours
		sleep_quality activity activity_minutes activity_rpe dairy gluten sugar alcohol
		processed_food late_meal skipped_meal nsaid ibuprofen naproxen diclofenac aspirin
		celecoxib omega3 fermented fever numbness weakness night_pain weight_loss"
	echo "$names sleep quality activity exercise rpe"
}

_simmer_config_keys()
{
	local keys
	keys=$(command simmer config get 2>/dev/null | sed -n 's/^\([a-z_.]*\) = .*/\1/p') ||
		keys=""
	echo "$keys"
}

_simmer()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=""
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
	COMPREPLY=()
	# The command is the first word that is not an option or its value.
	local cmd="" i=1
	while [ "$i" -lt "$COMP_CWORD" ]; do
		case "${COMP_WORDS[i]}" in
		--socket) i=$((i + 1)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
		i=$((i + 1))
	done
	case "$prev" in
	--at|--since) COMPREPLY=($(compgen -W "yesterday today -1h -2h -30m -1d -2d -7d" -- "$cur")); return ;;
	--format)
		if [ "$cmd" = status ]; then
			COMPREPLY=($(compgen -W "text waybar" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "csv jsonl" -- "$cur"))
		fi
		return ;;
	--kind) COMPREPLY=($(compgen -W "scale hours minutes count event flare" -- "$cur")); return ;;
	--role) COMPREPLY=($(compgen -W "exposure symptom outcome treatment red_flag" -- "$cur")); return ;;
	--from) COMPREPLY=($(compgen -W "bearable flaredown" -- "$cur")); return ;;
	--factor) COMPREPLY=($(compgen -W "$(_simmer_factors)" -- "$cur")); return ;;
	--socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--html) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--note|--limit|--unit|--user|--days|--eliminate|--reintroduce|--washout|--cycles) return ;;
	--start) COMPREPLY=($(compgen -W "today yesterday -1d -2d -7d" -- "$cur")); return ;;
	esac
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help --version --json --socket" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_simmer_commands $(_simmer_factors)" -- "$cur"))
		fi
		return
	fi
	local known=" $_simmer_commands "
	[[ $known == *" $cmd "* ]] || cmd=log
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_simmer_options "$cmd")" -- "$cur"))
		return
	fi
	case "$cmd" in
	log) COMPREPLY=($(compgen -W "$(_simmer_factors)" -- "$cur")) ;;
	import | backup | restore) COMPREPLY=($(compgen -f -- "$cur")) ;;
	help) COMPREPLY=($(compgen -W "$_simmer_commands" -- "$cur")) ;;
	factor) [ "$prev" = factor ] && COMPREPLY=($(compgen -W "define" -- "$cur")) ;;
	reminder) [ "$prev" = reminder ] && COMPREPLY=($(compgen -W "on off at" -- "$cur")) ;;
	experiment)
		case "$prev" in
		experiment) COMPREPLY=($(compgen -W "start status stop list" -- "$cur")) ;;
		start) COMPREPLY=($(compgen -W "$(_simmer_factors)" -- "$cur")) ;;
		esac ;;
	config)
		case "$prev" in
		config) COMPREPLY=($(compgen -W "get set" -- "$cur")) ;;
		get|set) COMPREPLY=($(compgen -W "$(_simmer_config_keys)" -- "$cur")) ;;
		esac ;;
	esac
}
complete -F _simmer simmer
