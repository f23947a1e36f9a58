$PV -f html --min-share 1 /nonexistent/dir
