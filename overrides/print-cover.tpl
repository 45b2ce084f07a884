<div class="hb-print-cover">
  <h1>{{ config.site_name }}</h1>
  <p>{{ config.site_description }}</p>
  <p>Single-page edition of every chapter in reading order. Text CC BY 4.0, code MIT.</p>
</div>
