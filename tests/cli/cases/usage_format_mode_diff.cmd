$PV /nonexistent/dir --diff /nonexistent/base -f callgrind
