$PV testdata/bad/text_report.prof testdata/bad/gzipped.prof testdata/bad/toplevel_list.prof
