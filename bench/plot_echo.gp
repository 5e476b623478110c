# bench/plot_echo.gp: the echo benchmark's figures by connection count, one
# column per message size: requests/s (top) and server CPU per request
# (bottom), one line per server. Called by bench/echo_bench.sh:
#   gnuplot -e "datafile='plot.dat'; outfile='doc/echo_benchmark.png'; \
#               servers='taskio asio-coro ...'; sizes='64 4096'" bench/plot_echo.gp
# datafile: one block per (size, server), sizes outer, servers inner, in the
# order given; lines "connections requests_per_s cpu_us_per_request".
set terminal pngcairo size 1100,760 font ",10"
set output outfile
ns = words(servers)
nz = words(sizes)
set logscale x
set xtics ("1" 1, "50" 50, "500" 500)
set xrange [0.7:700]
set grid
set key top center horizontal maxrows 2 font ",9"
set offsets 0, 0, graph 0.3, 0   # headroom for the key
set multiplot layout 2, nz title "Echo server, server on one core, load generator on the other (medians)"
set yrange [0:*]
do for [z = 1:nz] {
  set title sprintf("requests/s, %s-byte messages (higher is better)", word(sizes, z))
  set ylabel "requests/s"
  plot for [i = 1:ns] datafile index ((z - 1) * ns + i - 1) using 1:2 with linespoints lw 2 pt 7 title word(servers, i)
}
# log scale: one connection costs several times more per request than many
set logscale y
set yrange [4:*]
set autoscale yfixmax   # no rounding up to the next decade
set offsets 0, 0, graph 0.12, 0
set ytics (5, 7, 10, 15, 20, 30, 50, 70, 100)
do for [z = 1:nz] {
  set title sprintf("server CPU per request, %s-byte messages (lower is better)", word(sizes, z))
  set ylabel "microseconds (log scale)"
  set xlabel "connections"
  plot for [i = 1:ns] datafile index ((z - 1) * ns + i - 1) using 1:3 with linespoints lw 2 pt 7 title word(servers, i)
}
unset multiplot
