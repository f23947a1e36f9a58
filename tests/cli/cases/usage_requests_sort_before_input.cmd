$PV --requests --sort bogus /nonexistent/dir
