# Heartbeats moved here from studio.health: the table (health_heartbeat) stays as it is,
# only Django's record of which app owns the model changes.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('health', '0001_heartbeats'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Heartbeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('poller', 'Poller'), ('sender', 'Sender'), ('engine', 'Engine'), ('notifier', 'Notifier')], max_length=12)),
                        ('instance', models.CharField(max_length=100)),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('beat_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('stats', models.JSONField(blank=True, default=dict)),
                    ],
                    options={
                        'db_table': 'health_heartbeat',
                        'constraints': [models.UniqueConstraint(fields=('role', 'instance', 'started_at'), name='heartbeat_one_per_process')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
