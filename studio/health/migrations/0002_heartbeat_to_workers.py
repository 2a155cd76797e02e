# The Heartbeat model now belongs to studio.workers (its 0001 takes over the same table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('health', '0001_heartbeats'),
        ('workers', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Heartbeat')],
            database_operations=[],
        ),
    ]
