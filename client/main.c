/* main.c: simmer's entry point (being built). */
#include <stdio.h>
int main(void)
{
	fprintf(stderr, "simmer: not built yet\n");
	return 1;
}
