# what the user typed is echoed in usage errors with control characters escaped: an unknown option or format name cannot forge a line or reach the terminal
$PV $'--fo\033[31mx' testdata/flask; echo "exit $?"; $PV -f $'a\nprofview: forged' testdata/flask; echo "exit $?"
