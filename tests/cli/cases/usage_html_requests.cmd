$PV --requests -f html /nonexistent/dir
