$PV --requests -f dot /nonexistent/dir
