$PV testdata/bad/text_report.prof testdata/bad/gzip_garbage.prof testdata/bad/toplevel_list.prof testdata/bad/callgrind_text.prof
