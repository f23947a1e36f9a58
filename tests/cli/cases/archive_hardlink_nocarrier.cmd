# a cpio (newc) whose data-less hard link a.prof (nlink 2, size 0) never meets the member carrying its data: one message naming archive and member, the other member still read, exit 1
python3 -c "
import sys
def ent(name, ino, nlink, data):
    n = name.encode() + b'\0'
    b = b'070701' + b''.join(b'%08X' % v for v in [ino, 0o100644, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(n), 0]) + n
    b += b'\0' * (-len(b) % 4)
    return b + data + b'\0' * (-len(data) % 4)
c = open(sys.argv[1], 'rb').read()
sys.stdout.buffer.write(ent('a.prof', 5, 2, b'') + ent('c.prof', 6, 1, c) + ent('TRAILER!!!', 0, 1, b''))" testdata/edge/merge_b.prof >$TMPD/x.cpio && cd $TMPD && $PV x.cpio | head -1; echo "exit ${PIPESTATUS[0]}"
