/** The peak-RSS and CPU probe (bench/peak-rss.cjs), for `node --import bench/peak-rss.ts …`. */
import "./peak-rss.cjs";
