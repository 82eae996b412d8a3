# fish completion for simmer: commands, each command's own options, config
# keys, and factor names including the person's own (from simmerd, through
# `simmer factors --names`).

set -l simmer_commands log list undo delete factors factor import export backup restore status \
	forecast why \
	triggers backtest analyze report experiment alerts refused watch notify-test reload config \
	reminder version help

function __simmer_factor_names
	simmer factors --names 2>/dev/null; or string split ' ' -- pain stiffness fatigue bloating \
		flare mood energy stress sleep_hours sleep_quality activity_minutes activity_rpe dairy \
		gluten sugar alcohol processed_food late_meal skipped_meal nsaid ibuprofen naproxen \
		diclofenac aspirin celecoxib omega3 fermented fever numbness weakness night_pain weight_loss
	string split ' ' -- sleep quality activity exercise rpe
end

function __simmer_config_keys
	simmer config get 2>/dev/null | string replace -rf '^([a-z_.]+) = .*' '$1'
end

# True while the command line is a quick entry (a factor first, or `log`).
function __simmer_logging
	set -l words (commandline -opc)
	set -q words[2]; or return 1
	not contains -- $words[2] list undo delete factors factor import export backup restore \
		status forecast \
		why triggers backtest analyze report experiment alerts refused watch notify-test reload \
		config reminder version help
end

complete -c simmer -f
complete -c simmer -l json -d 'print the reply as JSON'
complete -c simmer -l socket -r -F -d 'the daemon socket'
complete -c simmer -l help -d 'show the command\'s help'

complete -c simmer -n "not __fish_seen_subcommand_from $simmer_commands; and not __simmer_logging" \
	-a "$simmer_commands"
complete -c simmer -n "not __fish_seen_subcommand_from $simmer_commands" -a '(__simmer_factor_names)'

complete -c simmer -n '__fish_seen_subcommand_from log; or __simmer_logging' -l at -x -d 'when it happened' -a 'yesterday today -1h -2h -30m -1d'
complete -c simmer -n '__fish_seen_subcommand_from log; or __simmer_logging' -l note -x -d 'a note kept with the entry'
complete -c simmer -n '__fish_seen_subcommand_from log; or __simmer_logging' -l new -d 'create new factors on purpose'
complete -c simmer -n '__fish_seen_subcommand_from log; or __simmer_logging' -a '(__simmer_factor_names)'

complete -c simmer -n '__fish_seen_subcommand_from list' -l since -x -d 'entries from then on' -a 'yesterday -1d -2d -7d'
complete -c simmer -n '__fish_seen_subcommand_from list' -l factor -x -d 'only this factor' -a '(__simmer_factor_names)'
complete -c simmer -n '__fish_seen_subcommand_from list' -l limit -x -d 'at most N entries'
complete -c simmer -n '__fish_seen_subcommand_from factors' -l names -d 'names only, one a line'
complete -c simmer -n '__fish_seen_subcommand_from factor' -a define
complete -c simmer -n '__fish_seen_subcommand_from factor' -l kind -x -a 'scale hours minutes count event flare'
complete -c simmer -n '__fish_seen_subcommand_from factor' -l role -x -a 'exposure symptom outcome treatment red_flag'
complete -c simmer -n '__fish_seen_subcommand_from factor' -l unit -x -d 'the unit of a value'
complete -c simmer -n '__fish_seen_subcommand_from import' -F
complete -c simmer -n '__fish_seen_subcommand_from backup restore' -F
complete -c simmer -n '__fish_seen_subcommand_from import' -l from -x -a 'bearable flaredown'
complete -c simmer -n '__fish_seen_subcommand_from import' -l user -x -d 'the person in a research export'
complete -c simmer -n '__fish_seen_subcommand_from export' -l format -x -a 'csv jsonl'
complete -c simmer -n '__fish_seen_subcommand_from export' -l since -x
complete -c simmer -n '__fish_seen_subcommand_from status' -l format -x -a 'text waybar'
complete -c simmer -n '__fish_seen_subcommand_from alerts' -l limit -x -d 'the newest N alerts'
complete -c simmer -n '__fish_seen_subcommand_from refused' -l clear -d 'forget them, once seen'
complete -c simmer -n '__fish_seen_subcommand_from report' -l days -x -d 'the last N days'
complete -c simmer -n '__fish_seen_subcommand_from report' -l html -r -F -d 'write an HTML page'
complete -c simmer -n '__fish_seen_subcommand_from config; and not __fish_seen_subcommand_from get set' -a 'get set'
complete -c simmer -n '__fish_seen_subcommand_from get set' -a '(__simmer_config_keys)'
complete -c simmer -n '__fish_seen_subcommand_from reminder' -a 'on off at'
complete -c simmer -n '__fish_seen_subcommand_from experiment; and not __fish_seen_subcommand_from start status stop list' -a 'start status stop list'
complete -c simmer -n '__fish_seen_subcommand_from start' -a '(__simmer_factor_names)'
complete -c simmer -n '__fish_seen_subcommand_from experiment' -l eliminate -x -d 'days without it'
complete -c simmer -n '__fish_seen_subcommand_from experiment' -l reintroduce -x -d 'days with it again'
complete -c simmer -n '__fish_seen_subcommand_from experiment' -l washout -x -d 'days watching for late effects'
complete -c simmer -n '__fish_seen_subcommand_from experiment' -l cycles -x -d 'times to repeat without and with'
complete -c simmer -n '__fish_seen_subcommand_from experiment' -l start -x -d 'the first day' -a 'today yesterday -1d -7d'
complete -c simmer -n '__fish_seen_subcommand_from help' -a "$simmer_commands"
