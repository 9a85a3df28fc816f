/* noentry.c - a shared object that is not a connector plugin: no entry point. */
int not_the_entry_point(void);

int not_the_entry_point(void)
{
    return 0;
}
