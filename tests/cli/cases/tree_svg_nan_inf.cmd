$PV testdata/edge/nan_inf_times.prof -f svg --icicle
