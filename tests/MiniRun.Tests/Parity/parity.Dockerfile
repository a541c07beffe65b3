# The image the Docker-parity tests build with the real Docker engine (legacy builder), from
# the busybox rootfs of rootfs-fixtures/busybox-rootfs.sh imported with `docker import`.
# Every RUN is one layer; together they hold each case a layer unpacker must get right.
ARG BASE
FROM ${BASE}
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]

# Layer 1: things the next layer deletes or replaces.
RUN mkdir -p /d/sub /keep /gone-dir/deeper \
 && echo lower > /d/old && echo lower > /d/sub/f \
 && echo keep > /keep/a && echo gone > /keep/gone && touch /gone-dir/deeper/x

# Layer 2: whiteouts (of this image's files and of the base's) and an opaque directory.
RUN rm /keep/gone /bin/vi /etc/shadow \
 && rm -rf /gone-dir \
 && rm -rf /d && mkdir /d && touch /d/new

# Layer 3: links, special modes, owners (chown before the setuid chmod), a fifo.
RUN echo data > /hl-a && ln /hl-a /hl-b \
 && ln -s /hl-a /sym-abs && ln -s ../hl-a /usr/sym-rel && ln -s /nowhere /sym-dangling \
 && chown -h 7:7 /sym-abs \
 && echo s > /suid && chown 1000:0 /suid && chmod 4755 /suid \
 && echo g > /sgid && chmod 2711 /sgid \
 && mkdir /sticky && chmod 1777 /sticky \
 && echo o > /owned && chown 1000:1000 /owned \
 && mkdir /owned-dir && chown 123:456 /owned-dir && chmod 750 /owned-dir \
 && mkfifo /fifo && chmod 640 /fifo \
 && echo 'with space' > '/name with space' \
 && : > /empty \
 && echo extra:x:2000:2000::/:/bin/sh >> /etc/passwd

# Layer 4: a metadata-only change to a lower file (copy-up), and a deleted name
# coming back as a directory (overlay makes it opaque; the layer tar says so).
RUN chmod 600 /keep/a && mkdir /keep/gone && echo back > /keep/gone/file
