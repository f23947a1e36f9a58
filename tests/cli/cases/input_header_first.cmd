# the header is checked before the rest is read: an endless stream that is no profile is refused after its first 4 KiB (the writer then stops on SIGPIPE)
mkfifo $TMPD/f.prof; (timeout 20 yes hello > $TMPD/f.prof &); timeout 10 $PV $TMPD/f.prof 2>&1 | sed "s|$TMPD|TMPD|"; echo "exit ${PIPESTATUS[0]}"; timeout 10 $PV /dev/zero; echo "exit $?"
