$PV --help | head -3; $PV --version | cut -d" " -f1-2
