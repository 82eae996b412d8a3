# install.mk: `make install` and `make uninstall`, with PREFIX and DESTDIR.
#
#   make install                      into /usr/local
#   make install PREFIX=/usr DESTDIR=/tmp/pkg
#
# The units' ExecStart is rewritten to the installed simmerd.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/user
DOCDIR  ?= $(PREFIX)/share/doc/simmer
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

INSTALLED := $(BINDIR)/simmerd $(BINDIR)/simmer $(UNITDIR)/simmerd.service \
	$(UNITDIR)/simmerd.socket $(MANDIR)/man1/simmer.1 $(MANDIR)/man8/simmerd.8 \
	$(MANDIR)/man5/simmer.conf.5 $(BASHCOMPDIR)/simmer $(ZSHCOMPDIR)/_simmer \
	$(FISHCOMPDIR)/simmer.fish $(DOCDIR)/simmer.conf.example \
	$(DOCDIR)/PROTOCOL.md

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(BUILD)/simmerd $(BUILD)/simmer $(DESTDIR)$(BINDIR)/
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/simmerd.service > $(DESTDIR)$(UNITDIR)/simmerd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/simmerd.service
	install -m 0644 systemd/simmerd.socket $(DESTDIR)$(UNITDIR)/
	install -m 0644 man/simmer.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/simmer.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/simmerd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 completions/simmer.bash $(DESTDIR)$(BASHCOMPDIR)/simmer
	install -m 0644 completions/_simmer $(DESTDIR)$(ZSHCOMPDIR)/_simmer
	install -m 0644 completions/simmer.fish $(DESTDIR)$(FISHCOMPDIR)/simmer.fish
	install -m 0644 docs/simmer.conf.example proto/PROTOCOL.md $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
