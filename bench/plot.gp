# bench/plot.gp: the ratio taskio / baseline of every target figure, as bars,
# with the target as a marker. Called by bench/run.sh:
#   gnuplot -e "datafile='plot.dat'; outfile='doc/benchmarks.png'" bench/plot.gp
# datafile: lines "index \"label\" ratio target met" (summarize.py --plot-data).
set terminal pngcairo size 1000,560 font ",10"
set output outfile
set title "taskio / plain Asio (timeouts: 10^6 / 10^4), lower is better; black dash: target"
set ylabel "ratio"
set yrange [0:*]
set grid ytics
set style fill solid 0.8 border -1
set boxwidth 0.6
set xtics rotate by -30 left nomirror noenhanced
set key off
set bmargin 7
set rmargin 8
plot datafile using 1:3:($5 > 0.5 ? 0x2e8b57 : 0xcd3b3b):xtic(2) with boxes lc rgb variable, \
     '' using ($1 - 0.35):4:(0.7):(0) with vectors nohead lw 3 lc rgb "black", \
     '' using 1:($3 > $4 ? $3 : $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9"
