for u in ms us; do f=1000; [ $u = us ] && f=1000000; $PV testdata/flask -s stdname > $TMPD/s.txt; $PV testdata/flask -s stdname --unit $u > $TMPD/u.txt; python3 -c "
import sys
f=float(sys.argv[3]); a=open(sys.argv[1]).read().splitlines()[7:]; b=open(sys.argv[2]).read().splitlines()[7:]
bad=0
for x,y in zip(a,b):
    if not x.strip(): continue
    xs,ys=x.split()[1:5],y.split()[1:5]
    for p,q in zip(xs,ys):
        try: p=float(p); q=float(q)
        except ValueError: continue
        if abs(p*f-q) > 0.0005*f + 0.0005: bad+=1
print(sys.argv[4], \"rows\", len(a), \"mismatches\", bad)
" $TMPD/s.txt $TMPD/u.txt $f $u; done; $PV testdata/flask -n 1 --unit auto | sed -n 3p
