$PV testdata/edge/html_names.prof -f html | grep -c -e '<img src=x' -e '<script>alert' -e '</script><script>'
