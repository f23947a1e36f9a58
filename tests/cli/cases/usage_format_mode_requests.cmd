$PV --requests -f json /nonexistent/dir
